/// One binlog event exactly as the server sent it: the 19-byte common header, the post-header
/// and body, and the 4-byte CRC32 footer when the stream was opened with checksums on.
///
/// The bytes are a copy, owned by this value, so events can cross threads and outlive the
/// replication stream. Nothing here interprets the body: decoding is the pure `MySQLBinlog`
/// module's job. The header accessors read the fixed v4 header layout (MariaDB docs,
/// "2-Binlog Event Header"): timestamp uint<4>, type uint<1>, server id uint<4>, event length
/// uint<4>, next position uint<4>, flags uint<2>, all little-endian.
public struct RawBinlogEvent: Sendable, Hashable {
    /// The length of the v4 common event header.
    public static let headerLength = 19

    /// Header, body and (when checksums are on) the CRC32 footer.
    public let bytes: [UInt8]

    /// Wraps `bytes`; nil when they are shorter than the common header or disagree with the
    /// length the header declares.
    public init?(bytes: [UInt8]) {
        guard bytes.count >= Self.headerLength else { return nil }
        self.bytes = bytes
        guard Int(eventLength) == bytes.count else { return nil }
    }

    /// Seconds since 1970 (UTC) when the statement began; 0 for artificial events (the fake
    /// ROTATE a dump starts with).
    public var timestamp: UInt32 { readUInt32(at: 0) }
    /// The event type code (e.g. 15 FORMAT_DESCRIPTION, 19 TABLE_MAP, 23 WRITE_ROWS v1,
    /// 16 XID, 162 MariaDB GTID, 27 HEARTBEAT).
    public var typeCode: UInt8 { bytes[4] }
    /// The `server_id` of the server that wrote the event.
    public var serverID: UInt32 { readUInt32(at: 5) }
    /// The whole event's length, header and checksum included.
    public var eventLength: UInt32 { readUInt32(at: 9) }
    /// The offset in the binlog file just after this event; 0 for artificial events.
    public var nextPosition: UInt32 { readUInt32(at: 13) }
    /// Event flags, e.g. LOG_EVENT_ARTIFICIAL_F (0x20).
    public var flags: UInt16 { UInt16(bytes[17]) | UInt16(bytes[18]) << 8 }

    /// A HEARTBEAT_LOG_EVENT (27): sent while the binlog is idle, never written to a file.
    public var isHeartbeat: Bool { typeCode == 27 }

    private func readUInt32(at offset: Int) -> UInt32 {
        UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16
            | UInt32(bytes[offset + 3]) << 24
    }
}
