/// MySQL PREVIOUS_GTIDS_LOG_EVENT (type 35): after the FORMAT_DESCRIPTION of each file, the
/// GTID set of every file before it.
///
/// Body: n_sids(8) then per source: sid(16) n_intervals(8) and per interval start(8) end(8),
/// `end` exclusive (MySQL `rpl_gtid_set.cc`, `Gtid_set::add_gtid_encoding`).
public struct PreviousGTIDsEvent: Sendable, Hashable {
    public var header: BinlogEventHeader
    public var sets: [GTIDSetEntry]

    /// The set in MySQL's text form: `uuid:1-5:7,uuid2:1-3`.
    public var gtidSet: String {
        sets.map { entry in
            ([formatUUID(entry.sid)] + entry.intervals.map { interval in
                interval.upperBound - 1 == interval.lowerBound
                    ? "\(interval.lowerBound)" : "\(interval.lowerBound)-\(interval.upperBound - 1)"
            }).joined(separator: ":")
        }.joined(separator: ",")
    }

    static func decode(header: BinlogEventHeader, body reader: inout ByteReader) throws -> PreviousGTIDsEvent {
        let count = try reader.readUInt64()
        guard count <= UInt64(reader.remaining / 24) else {
            throw ShortRead(offset: reader.offset, needed: Int(clamping: count) * 24, available: reader.remaining)
        }
        var sets: [GTIDSetEntry] = []
        for _ in 0..<count {
            let sid = Array(try reader.readBytes(16))
            let intervalCount = try reader.readUInt64()
            guard intervalCount <= UInt64(reader.remaining / 16) else {
                throw ShortRead(offset: reader.offset, needed: Int(clamping: intervalCount) * 16, available: reader.remaining)
            }
            var intervals: [Range<Int64>] = []
            for _ in 0..<intervalCount {
                let start = try reader.readInt(byteCount: 8)
                let end = try reader.readInt(byteCount: 8)
                guard start < end else {
                    throw BinlogDecodeError.Reason.malformed("empty GTID interval")
                }
                intervals.append(start..<end)
            }
            sets.append(GTIDSetEntry(sid: sid, intervals: intervals))
        }
        return PreviousGTIDsEvent(header: header, sets: sets)
    }
}

/// The transactions of one source UUID in a MySQL GTID set.
public struct GTIDSetEntry: Sendable, Hashable {
    public var sid: [UInt8]
    /// Half-open ranges of transaction numbers.
    public var intervals: [Range<Int64>]
}
