/// MariaDB GTID_LIST_EVENT (type 163): after the FORMAT_DESCRIPTION of each file, the last
/// GTID of every replication domain in the files before it.
///
/// Body: count(4; low 28 bits the count, high 4 bits flags) then count times
/// domain_id(4) server_id(4) seq_no(8).
public struct MariaDBGTIDListEvent: Sendable, Hashable {
    public var header: BinlogEventHeader
    public var gtids: [MariaDBGTID]
    public var flags: UInt8

    static func decode(header: BinlogEventHeader, body reader: inout ByteReader) throws -> MariaDBGTIDListEvent {
        let word = try reader.readUInt32()
        let count = Int(word & 0x0FFF_FFFF)
        guard count <= reader.remaining / 16 else {
            throw ShortRead(offset: reader.offset, needed: count * 16, available: reader.remaining)
        }
        var gtids: [MariaDBGTID] = []
        gtids.reserveCapacity(count)
        for _ in 0..<count {
            let domain = try reader.readUInt32()
            let server = try reader.readUInt32()
            let sequence = try reader.readUInt64()
            gtids.append(MariaDBGTID(domainID: domain, serverID: server, sequenceNumber: sequence))
        }
        return MariaDBGTIDListEvent(header: header, gtids: gtids, flags: UInt8(word >> 28))
    }
}

/// One MariaDB GTID, `domain-server-sequence`.
public struct MariaDBGTID: Sendable, Hashable, CustomStringConvertible {
    public var domainID: UInt32
    public var serverID: UInt32
    public var sequenceNumber: UInt64

    public init(domainID: UInt32, serverID: UInt32, sequenceNumber: UInt64) {
        self.domainID = domainID
        self.serverID = serverID
        self.sequenceNumber = sequenceNumber
    }

    public var description: String { "\(domainID)-\(serverID)-\(sequenceNumber)" }
}
