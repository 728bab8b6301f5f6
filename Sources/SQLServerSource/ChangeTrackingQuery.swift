import Directory

/// The T-SQL that reads one table's changes since a version, with the row's values now:
///
///     SELECT c.SYS_CHANGE_VERSION, c.SYS_CHANGE_OPERATION, c.SYS_CHANGE_CONTEXT,
///            CASE WHEN c.SYS_CHANGE_COLUMNS IS NULL THEN 1 ELSE 0 END,
///            c.[id],
///            CHANGE_TRACKING_IS_COLUMN_IN_MASK(COLUMNPROPERTY(OBJECT_ID(@p2), @p3, 'ColumnId'), c.SYS_CHANGE_COLUMNS), ...
///            t.[id], t.[username], ...
///     FROM CHANGETABLE(CHANGES [dbo].[sync_users], @p1) AS c
///     LEFT JOIN [dbo].[sync_users] AS t ON t.[id] = c.[id]
///     ORDER BY c.SYS_CHANGE_VERSION, c.[id]
///
/// `@p1` is the last version read, `@p2` the table's name for `OBJECT_ID` and `@p3`... the
/// mapped columns' names: every value is a parameter.
///
/// There is no upper bound on the version: the changes and the joined rows come from the same
/// snapshot, so a change newer than the version the poll stores is read with the row it made
/// and read again by the next poll (idempotent apply). Cutting at the stored version instead
/// would lose a row inserted before it and updated after it: the next poll would see only an
/// update (`CHANGETABLE` folds a key's changes since the version asked for), of a row the
/// target never received.
/// The LEFT JOIN is Microsoft's pattern ("Work with Change Tracking": "obtain the changed
/// rows ... joined with the user table"): a deleted row has only its key. The mask function
/// answers whether an update set a column ("CHANGE_TRACKING_IS_COLUMN_IN_MASK": "Interprets
/// the SYS_CHANGE_COLUMNS value"); a NULL SYS_CHANGE_COLUMNS means every column ("If ...
/// the column tracking is not enabled, or ... all columns were updated, the value is NULL"),
/// which the CASE reports apart.
struct ChangeTrackingQuery: Sendable, Hashable {
    let table: TrackedTable

    /// The statement; read its rows with ``decode(_:)``.
    var sql: String {
        let keys = table.keyColumns.map(TSQLName.quote)
        let masks = table.valueColumns.indices.map { index in
            "CHANGE_TRACKING_IS_COLUMN_IN_MASK(COLUMNPROPERTY(OBJECT_ID(@p2), @p\(index + 3), 'ColumnId'), c.SYS_CHANGE_COLUMNS)"
        }
        let current = (table.keyColumns + table.valueColumns).map { "t." + TSQLName.quote($0) }
        let list =
            ["c.SYS_CHANGE_VERSION", "c.SYS_CHANGE_OPERATION", "c.SYS_CHANGE_CONTEXT",
             "CASE WHEN c.SYS_CHANGE_COLUMNS IS NULL THEN 1 ELSE 0 END"]
            + keys.map { "c." + $0 } + masks + current
        let aliased = list.enumerated().map { "\($0.element) AS [c\($0.offset)]" }
        let join = keys.map { "t.\($0) = c.\($0)" }.joined(separator: " AND ")
        return "SELECT " + aliased.joined(separator: ", ")
            + " FROM CHANGETABLE(CHANGES \(table.qualified), @p1) AS c"
            + " LEFT JOIN \(table.qualified) AS t ON \(join)"
            + " ORDER BY c.SYS_CHANGE_VERSION, " + keys.map { "c." + $0 }.joined(separator: ", ")
    }

    /// The values of `sql`'s parameters for the changes after `last`.
    func parameters(after last: Int64) -> [SQLValue] {
        [.int(last), .text(table.objectName)] + table.valueColumns.map { .text($0) }
    }

    /// One row of the result as a change.
    /// - Throws: ``ChangeTrackingError/unexpectedResult(_:)`` for a row of another shape.
    func decode(_ row: Row) throws(ChangeTrackingError) -> TrackedChange {
        let (keyCount, valueCount) = (table.keyColumns.count, table.valueColumns.count)
        let values = row.values
        guard values.count == 4 + keyCount + valueCount + keyCount + valueCount else {
            throw .unexpectedResult("\(values.count) columns from CHANGETABLE for \(table.qualified)")
        }
        guard case .int(let version) = values[0] else { throw .unexpectedResult("SYS_CHANGE_VERSION \(values[0])") }
        let operation: TrackedChange.Operation
        switch values[1] {
        case .text(let text) where text.hasPrefix("I"): operation = .insert
        case .text(let text) where text.hasPrefix("U"): operation = .update
        case .text(let text) where text.hasPrefix("D"): operation = .delete
        default: throw .unexpectedResult("SYS_CHANGE_OPERATION \(values[1])")
        }
        let context: [UInt8]? = if case .bytes(let bytes) = values[2] { bytes } else { nil }
        let allColumns = Self.flag(values[3])
        let key = Row(columns: table.keyColumns, values: Array(values[4..<(4 + keyCount)]))
        let maskStart = 4 + keyCount
        let changed: [String]? =
            allColumns ? nil : table.valueColumns.indices.filter { Self.flag(values[maskStart + $0]) }.map { table.valueColumns[$0] }
        let currentStart = maskStart + valueCount
        let currentValues = Array(values[currentStart...])
        // The joined key is NULL when the row is gone (a delete, or a row deleted after an
        // insert or update that the same poll reports).
        let present = currentValues.prefix(keyCount).allSatisfy { $0 != .null }
        let current = present ? Row(columns: table.keyColumns + table.valueColumns, values: currentValues) : nil
        return TrackedChange(
            table: table.name, operation: operation, version: version, context: context, key: key,
            changedColumns: changed, current: current)
    }

    private static func flag(_ value: SQLValue) -> Bool {
        switch value {
        case .bool(let flag): flag
        case .int(let number): number != 0
        case .uint(let number): number != 0
        default: false
        }
    }
}

/// The one-row statement a poll starts with: the current version and each table's minimum
/// valid version (`CHANGE_TRACKING_MIN_VALID_VERSION(OBJECT_ID(@pN))`, NULL when the table is
/// not tracked).
struct VersionQuery: Sendable, Hashable {
    let tables: [TrackedTable]

    var sql: String {
        let minimums = tables.indices.map { "CHANGE_TRACKING_MIN_VALID_VERSION(OBJECT_ID(@p\($0 + 1))) AS [m\($0)]" }
        return (["SELECT CHANGE_TRACKING_CURRENT_VERSION() AS [current]"] + minimums).joined(separator: ", ")
    }

    var parameters: [SQLValue] { tables.map { .text($0.objectName) } }

    /// The current version (nil when change tracking is off for the database) and each
    /// table's minimum valid version (nil when the table is not tracked).
    func decode(_ rows: [Row]) throws(ChangeTrackingError) -> (current: Int64?, minimums: [Int64?]) {
        guard let row = rows.first, row.values.count == tables.count + 1 else {
            throw .unexpectedResult("no versions from CHANGE_TRACKING_CURRENT_VERSION()")
        }
        func number(_ value: SQLValue) -> Int64? { if case .int(let number) = value { number } else { nil } }
        return (number(row.values[0]), row.values.dropFirst().map(number))
    }
}
