import Directory

/// The T-SQL of keyset pagination over a (possibly composite) key: each chunk starts strictly
/// after the last key of the previous one, so every row is read once, in key order, without
/// OFFSET (which rereads everything before the offset) and whatever the table's size.
struct KeysetQuery: Sendable, Hashable {
    let table: String
    let selectList: String
    let keyColumns: [String]
    let chunkSize: Int

    /// - Parameters:
    ///   - table: `[schema].[table]`, quoted.
    ///   - columns: the columns to read; key columns missing from it are added (the next chunk
    ///     starts after the last row's key).
    init(table: String, keyColumns: [String], columns: [String], chunkSize: Int) {
        precondition(!keyColumns.isEmpty, "keyset pagination needs a key")
        precondition(chunkSize > 0, "a chunk holds at least one row")
        var list = keyColumns
        for column in columns where !list.contains(where: { $0.lowercased() == column.lowercased() }) {
            list.append(column)
        }
        self.table = table
        selectList = list.map(TSQLName.quote).joined(separator: ", ")
        self.keyColumns = keyColumns
        self.chunkSize = chunkSize
    }

    private var orderBy: String { keyColumns.map(TSQLName.quote).joined(separator: ", ") }

    /// The first chunk.
    var first: String {
        "SELECT TOP (\(chunkSize)) \(selectList) FROM \(table) ORDER BY \(orderBy)"
    }

    /// The chunk after the row whose key values are bound as `@p1`, `@p2` ... in key order.
    ///
    /// `(k1, k2) > (@p1, @p2)`, which T-SQL cannot write, is written out as
    /// `k1 >= @p1 AND (k1 > @p1 OR (k1 = @p1 AND k2 > @p2))`: the same order, and the leading
    /// `k1 >= @p1` is a seek on the key's first column. `sp_executesql` lets a parameter
    /// appear more than once, so each key value is bound once.
    var after: String {
        let quoted = keyColumns.map(TSQLName.quote)
        var alternatives: [String] = []
        for index in quoted.indices {
            let equal = quoted[..<index].enumerated().map { "\($0.element) = @p\($0.offset + 1)" }
            alternatives.append((equal + ["\(quoted[index]) > @p\(index + 1)"]).joined(separator: " AND "))
        }
        let condition = "\(quoted[0]) >= @p1 AND ((" + alternatives.joined(separator: ") OR (") + "))"
        return "SELECT TOP (\(chunkSize)) \(selectList) FROM \(table) WHERE \(condition) ORDER BY \(orderBy)"
    }
}
