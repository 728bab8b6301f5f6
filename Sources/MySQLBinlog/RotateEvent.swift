/// ROTATE_EVENT (type 4): the binlog continues in another file. Post-header: position(8);
/// body: the next file's name. A replication stream also starts with an artificial ROTATE
/// naming the file the dump begins in.
public struct RotateEvent: Sendable, Hashable {
    public var header: BinlogEventHeader
    /// Offset in ``nextFile`` where the next event starts.
    public var position: UInt64
    public var nextFile: String

    static func decode(header: BinlogEventHeader, body reader: inout ByteReader, format: FormatDescriptionEvent) throws -> RotateEvent {
        let postHeader = format.postHeaderLength(of: .rotate) ?? 8
        let position = try reader.readUInt64()
        try reader.skip(max(0, postHeader - 8))
        let file = String(decoding: reader.readRest(), as: UTF8.self)
        return RotateEvent(header: header, position: position, nextFile: file)
    }
}
