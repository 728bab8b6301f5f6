/// The shape of each table as of positions in the binlog, for decoding rows whose TABLE_MAP
/// carries no column names (`binlog_row_metadata=MINIMAL`, MySQL's default).
///
/// The catalog (`information_schema`) only knows a table as it is now; rows written before an
/// ALTER TABLE must be decoded with the columns they were written with. So every time the
/// reader looks a table up in the catalog, it records the answer at the binlog position where
/// it did, and a DDL statement on the table ends the validity of what was recorded before it.
/// Persisted with the pipeline's offset, the history lets a restart in the middle of it decode
/// each row with the shape of its time. With `binlog_row_metadata=FULL` the TABLE_MAPs carry
/// the names themselves and the history is not consulted.
public struct SchemaHistory: Sendable, Hashable {
    /// A table's columns from `position` on (until a later entry for the same table).
    public struct Entry: Sendable, Hashable {
        public var position: BinlogPosition
        public var schema: String
        public var table: String
        /// Nil: the table changed here (a DDL statement) and must be looked up again.
        public var columns: [ColumnSchema]?

        public init(position: BinlogPosition, schema: String, table: String, columns: [ColumnSchema]?) {
            self.position = position
            self.schema = schema
            self.table = table
            self.columns = columns
        }

        var key: String { schema + "." + table }
    }

    /// Per `schema.table`, entries in position order.
    private var entries: [String: [Entry]] = [:]

    public init(_ entries: [Entry] = []) {
        for entry in entries { record(entry) }
    }

    /// Every entry, in table then position order (for persisting).
    public var allEntries: [Entry] {
        entries.keys.sorted().flatMap { entries[$0] ?? [] }
    }

    /// Records what a table looked like from `entry.position` on. Replacing an entry at the
    /// same position is allowed (a lookup repeated after a restart).
    public mutating func record(_ entry: Entry) {
        var list = entries[entry.key, default: []]
        if let index = list.firstIndex(where: { !($0.position < entry.position) }) {
            if list[index].position == entry.position {
                list[index] = entry
            } else {
                list.insert(entry, at: index)
            }
        } else {
            list.append(entry)
        }
        entries[entry.key] = list
    }

    /// Marks `schema.table` as changed by a DDL statement ending at `position`.
    public mutating func tableChanged(schema: String, table: String, at position: BinlogPosition) {
        record(Entry(position: position, schema: schema, table: table, columns: nil))
    }

    /// What to decode `schema.table`'s rows at `position` with: the columns of the latest
    /// entry at or before it, or nil when there is none or that entry is a DDL mark (then the
    /// caller looks the table up in the catalog and records the answer).
    public func columns(schema: String, table: String, at position: BinlogPosition) -> [ColumnSchema]? {
        guard let list = entries[schema + "." + table] else { return nil }
        return list.last { !(position < $0.position) }?.columns
    }
}
