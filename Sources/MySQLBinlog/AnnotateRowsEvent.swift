/// MariaDB ANNOTATE_ROWS_EVENT (type 160): the statement that produced the rows events that
/// follow (`binlog_annotate_row_events`). Body: the statement text.
public struct AnnotateRowsEvent: Sendable, Hashable {
    public var header: BinlogEventHeader
    public var statement: String

    static func decode(header: BinlogEventHeader, body reader: inout ByteReader) -> AnnotateRowsEvent {
        AnnotateRowsEvent(header: header, statement: String(decoding: reader.readRest(), as: UTF8.self))
    }
}
