/// HEARTBEAT_LOG_EVENT (type 27) and HEARTBEAT_LOG_EVENT_V2 (type 41): sent by the source
/// when it has nothing else to send. They exist only on the wire, never in a file.
///
/// v1 body: the current binlog file name; the position is the header's `log_pos`.
/// v2 body (MySQL 8.0.26+): type(1) length(packed) value fields — 1 the file name, 2 the
/// position (packed), 0 the end.
public struct HeartbeatEvent: Sendable, Hashable {
    public var header: BinlogEventHeader
    public var file: String
    public var position: UInt64

    static func decode(header: BinlogEventHeader, body reader: inout ByteReader) -> HeartbeatEvent {
        HeartbeatEvent(
            header: header, file: String(decoding: reader.readRest(), as: UTF8.self),
            position: UInt64(header.nextPosition)
        )
    }

    static func decodeV2(header: BinlogEventHeader, body reader: inout ByteReader) throws -> HeartbeatEvent {
        var file = ""
        var position = UInt64(header.nextPosition)
        while !reader.isAtEnd {
            let field = try reader.readUInt8()
            if field == 0 { break }
            let value = try reader.readLengthEncodedBytes()
            switch field {
            case 1:
                file = String(decoding: value, as: UTF8.self)
            case 2:
                var inner = ByteReader(value)
                position = try inner.readLengthEncodedInt()
            default:
                continue  // fields added by later servers
            }
        }
        return HeartbeatEvent(header: header, file: file, position: position)
    }
}
