/// The prepared statements of one connection, kept by SQL text so that a statement run again
/// is executed again instead of prepared again: a 1,000-row upsert has about 12,000 markers,
/// and the server parses the whole text at every COM_STMT_PREPARE.
///
/// Least recently used statements are closed beyond `capacity`, which bounds what both sides
/// hold (Connector/C keeps a MYSQL_BIND per marker; the server keeps the parsed statement, and
/// counts it against `max_prepared_stmt_count`). Statement handles belong to their connection:
/// the cache lives and dies with it, and is emptied when the connection or a statement is
/// found broken (see ``MariaDBConnection/query(_:_:)``).
struct MariaDBStatementCache {
    private struct Entry {
        let statement: MariaDBStatement
        var lastUse: UInt64
    }

    let capacity: Int
    private var entries: [String: Entry] = [:]
    private var clock: UInt64 = 0

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// How many statements are prepared and kept.
    var count: Int { entries.count }

    /// The statement prepared for `sql`, marked as just used; nil when there is none.
    mutating func statement(for sql: String) -> MariaDBStatement? {
        guard entries[sql] != nil else { return nil }
        clock += 1
        entries[sql]?.lastUse = clock
        return entries[sql]?.statement
    }

    /// Keeps `statement`, closing the least recently used one when full (a linear scan: the
    /// cache is small).
    mutating func insert(_ statement: MariaDBStatement, for sql: String) {
        guard capacity > 0 else { return }
        if entries[sql] == nil, entries.count >= capacity,
            let oldest = entries.min(by: { $0.value.lastUse < $1.value.lastUse })?.key
        {
            entries[oldest] = nil
        }
        clock += 1
        entries[sql] = Entry(statement: statement, lastUse: clock)
    }

    /// Closes the statement kept for `sql`, if any (it failed: its state is not worth trusting).
    mutating func remove(_ sql: String) {
        entries[sql] = nil
    }

    /// Closes every statement.
    mutating func removeAll() {
        entries.removeAll()
    }
}
