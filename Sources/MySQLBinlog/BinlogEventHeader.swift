/// The common header of a binlog v4 event (19 bytes, MySQL `binlog_event.h`, "Common-Header"):
/// timestamp(4) type(1) server_id(4) event_size(4) log_pos(4) flags(2), little-endian.
public struct BinlogEventHeader: Sendable, Hashable {
    /// Length of the v4 header.
    public static let length = 19

    /// Seconds since 1970 (UTC) when the statement began on the source.
    public var timestamp: UInt32
    /// The raw type code; ``type`` is nil for codes this decoder does not know.
    public var typeCode: UInt8
    public var serverID: UInt32
    /// Size of the whole event, header and checksum included.
    public var eventSize: UInt32
    /// Offset in the source's binlog file just after this event (0 for artificial events).
    public var nextPosition: UInt32
    public var flags: UInt16

    public var type: BinlogEventType? { BinlogEventType(rawValue: typeCode) }

    /// `LOG_EVENT_ARTIFICIAL_F`: made up by the server for a replica (e.g. the fake ROTATE that
    /// starts a dump); it has no place in a file.
    public var isArtificial: Bool { flags & 0x20 != 0 }

    public init(
        timestamp: UInt32, typeCode: UInt8, serverID: UInt32, eventSize: UInt32, nextPosition: UInt32,
        flags: UInt16
    ) {
        self.timestamp = timestamp
        self.typeCode = typeCode
        self.serverID = serverID
        self.eventSize = eventSize
        self.nextPosition = nextPosition
        self.flags = flags
    }

    init(reading reader: inout ByteReader) throws(ShortRead) {
        try reader.ensure(Self.length)
        timestamp = try reader.readUInt32()
        typeCode = try reader.readUInt8()
        serverID = try reader.readUInt32()
        eventSize = try reader.readUInt32()
        nextPosition = try reader.readUInt32()
        flags = try reader.readUInt16()
    }
}
