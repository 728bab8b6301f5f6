/// MySQL GTID_LOG_EVENT (type 33) and ANONYMOUS_GTID_LOG_EVENT (type 34): precede every
/// transaction; the anonymous kind when `gtid_mode=OFF`.
///
/// Post-header (42 bytes, MySQL `control_events.h`, `Gtid_event`): flags(1) sid(16) gno(8)
/// lt_type(1, = 2) last_committed(8) sequence_number(8). Body (8.0.1+, each part optional by
/// length): immediate_commit_timestamp(7; bit 55 set when original_commit_timestamp(7)
/// follows), transaction_length(packed), immediate_server_version(4; bit 31 set when
/// original_server_version(4) follows).
public struct MySQLGTIDEvent: Sendable, Hashable {
    public var header: BinlogEventHeader
    public var isAnonymous: Bool
    public var flags: UInt8
    /// The source's server UUID (16 bytes).
    public var sid: [UInt8]
    public var gno: Int64
    public var lastCommitted: Int64?
    public var sequenceNumber: Int64?
    /// Microseconds since 1970 when the transaction committed on this server.
    public var immediateCommitTimestamp: UInt64?
    /// Microseconds since 1970 when it committed on the original source.
    public var originalCommitTimestamp: UInt64?
    public var transactionLength: UInt64?

    /// `uuid:gno`, or nil for an anonymous transaction.
    public var gtid: String? {
        isAnonymous ? nil : "\(formatUUID(sid)):\(gno)"
    }

    static func decode(header: BinlogEventHeader, body reader: inout ByteReader, anonymous: Bool) throws -> MySQLGTIDEvent {
        let flags = try reader.readUInt8()
        let sid = Array(try reader.readBytes(16))
        let gno = try reader.readInt(byteCount: 8)
        var event = MySQLGTIDEvent(
            header: header, isAnonymous: anonymous, flags: flags, sid: sid, gno: gno, lastCommitted: nil,
            sequenceNumber: nil, immediateCommitTimestamp: nil, originalCommitTimestamp: nil, transactionLength: nil
        )
        // LOGICAL_TIMESTAMP_TYPECODE = 2 (MySQL 5.7.6+).
        guard reader.remaining >= 17, reader.peekUInt8() == 2 else { return event }
        try reader.skip(1)
        event.lastCommitted = try reader.readInt(byteCount: 8)
        event.sequenceNumber = try reader.readInt(byteCount: 8)
        guard reader.remaining >= 7 else { return event }
        let immediate = try reader.readUInt(byteCount: 7)
        let hasOriginal = immediate & (1 << 55) != 0
        event.immediateCommitTimestamp = immediate & ~(1 << 55)
        event.originalCommitTimestamp = event.immediateCommitTimestamp
        if hasOriginal {
            event.originalCommitTimestamp = try reader.readUInt(byteCount: 7)
        }
        if !reader.isAtEnd {
            event.transactionLength = try reader.readLengthEncodedInt()
        }
        return event
    }
}

/// The canonical 8-4-4-4-12 text of a 16-byte UUID.
func formatUUID(_ bytes: [UInt8]) -> String {
    let hex = hexDump(bytes, separator: nil)
    guard hex.count == 32 else { return hex }
    let characters = Array(hex)
    let groups = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32]
    return groups.map { String(characters[$0]) }.joined(separator: "-")
}
