/// XID_EVENT (type 16): the commit of a transaction on a transactional engine (InnoDB). Body:
/// the XA transaction id (8, little-endian).
public struct XIDEvent: Sendable, Hashable {
    public var header: BinlogEventHeader
    public var xid: UInt64

    static func decode(header: BinlogEventHeader, body reader: inout ByteReader) throws -> XIDEvent {
        XIDEvent(header: header, xid: try reader.readUInt64())
    }
}
