/// MariaDB BINLOG_CHECKPOINT_EVENT (type 161): the oldest binlog file still needed for crash
/// recovery. Post-header: name length(4); body: the file name.
public struct BinlogCheckpointEvent: Sendable, Hashable {
    public var header: BinlogEventHeader
    public var file: String

    static func decode(header: BinlogEventHeader, body reader: inout ByteReader) throws -> BinlogCheckpointEvent {
        let length = Int(try reader.readUInt32())
        return BinlogCheckpointEvent(header: header, file: try reader.readString(length))
    }
}
