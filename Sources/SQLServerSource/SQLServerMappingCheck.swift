import Directory
import SCIM
import SQLServerClient

/// Whether the source still fits the layout for change tracking: every table and mapped column
/// exists, each table's primary key is the layout's key (CHANGETABLE identifies a changed row
/// by its primary key only: "the primary key columns of the tracked table"), and change
/// tracking and snapshot isolation are on. Asked when a poll fails in a way a schema change
/// explains, and again while the pipeline is paused, until it fits.
enum SQLServerMappingCheck {
    static let fix = "the pipeline resumes by itself once they fit"

    /// Nil when everything fits; otherwise the problems, each with its fix.
    static func problem(tables: [TrackedTable], layout: DirectoryLayout, connection: SQLServerConnection) throws -> String? {
        var problems: [String] = []
        // Each tracked table with the layout's use of it, by name: the two lists are in
        // different orders (groups first for change tracking, users first in the layout).
        let uses = layout.tableUses
        for table in tables {
            guard let use = uses.first(where: { $0.table == table.name }) else { continue }
            let columns = try connection.query(
                "SELECT COLUMN_NAME AS [name] FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = @p1 AND TABLE_NAME = @p2",
                [.text(table.schema), .text(table.table)]
            ).compactMap { if case .text(let name)? = $0.values.first { name } else { nil } }
            guard !columns.isEmpty else {
                let names = try connection.query(
                    "SELECT TABLE_NAME AS [name] FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = @p1", [.text(table.schema)]
                ).compactMap { if case .text(let name)? = $0.values.first { name } else { nil } }
                let hint = didYouMean(table.table, among: names).map { "; did you mean \($0)?" } ?? ""
                problems.append("source table \(table.qualified) does not exist (the layout's \(use.path)\(hint))")
                continue
            }
            for column in use.columns where !columns.contains(where: { $0.caseInsensitiveEquals(column.column) }) {
                let hint = didYouMean(column.column, among: columns).map { "; did you mean \($0)?" } ?? ""
                let purpose = column.attribute.map { "mapped to \($0)" } ?? "the layout's \(column.path)"
                problems.append("source table \(table.qualified) has no column \(column.column) (\(purpose)\(hint))")
            }
            let key = try primaryKey(of: table, connection: connection)
            if Set(key.map { $0.lowercased() }) != Set(table.keyColumns.map { $0.lowercased() }) {
                let found = key.isEmpty ? "has no primary key" : "has primary key (\(key.joined(separator: ", ")))"
                problems.append(
                    "source table \(table.qualified) \(found), but change tracking names a changed row by its primary key, "
                        + "which must be (\(table.keyColumns.joined(separator: ", "))) for this layout")
            }
        }
        guard problems.isEmpty else { return problems.joined(separator: "; ") + ": fix the table or the layout; " + fix }
        let versions = VersionQuery(tables: tables)
        let (current, minimums) = try versions.decode(try connection.query(versions.sql, versions.parameters))
        if current == nil {
            problems.append(
                "change tracking is off for the database: ALTER DATABASE \(TSQLName.quote(databaseName(connection))) "
                    + "SET CHANGE_TRACKING = ON (CHANGE_RETENTION = 7 DAYS, AUTO_CLEANUP = ON)")
        } else {
            for (table, minimum) in zip(tables, minimums) where minimum == nil {
                problems.append(
                    "change tracking is off for table \(table.qualified): "
                        + "ALTER TABLE \(table.qualified) ENABLE CHANGE_TRACKING WITH (TRACK_COLUMNS_UPDATED = ON)")
            }
        }
        if try !snapshotIsolationAllowed(connection) {
            problems.append(
                "snapshot isolation is not allowed in the database: "
                    + "ALTER DATABASE \(TSQLName.quote(databaseName(connection))) SET ALLOW_SNAPSHOT_ISOLATION ON")
        }
        return problems.isEmpty ? nil : problems.joined(separator: "; ") + "; " + fix
    }

    /// The primary key's columns in key order; empty when the table has none.
    static func primaryKey(of table: TrackedTable, connection: SQLServerConnection) throws -> [String] {
        let constraints = try connection.query(
            "SELECT CONSTRAINT_NAME AS [name] FROM INFORMATION_SCHEMA.TABLE_CONSTRAINTS "
                + "WHERE TABLE_SCHEMA = @p1 AND TABLE_NAME = @p2 AND CONSTRAINT_TYPE = 'PRIMARY KEY'",
            [.text(table.schema), .text(table.table)])
        guard case .text(let name)? = constraints.first?.values.first else { return [] }
        return try connection.query(
            "SELECT COLUMN_NAME AS [name] FROM INFORMATION_SCHEMA.KEY_COLUMN_USAGE "
                + "WHERE TABLE_SCHEMA = @p1 AND TABLE_NAME = @p2 AND CONSTRAINT_NAME = @p3 ORDER BY ORDINAL_POSITION",
            [.text(table.schema), .text(table.table), .text(name)]
        ).compactMap { if case .text(let column)? = $0.values.first { column } else { nil } }
    }

    /// `sys.databases.snapshot_isolation_state` is 1 (ON) for the current database.
    static func snapshotIsolationAllowed(_ connection: SQLServerConnection) throws -> Bool {
        let rows = try connection.query("SELECT snapshot_isolation_state AS [state] FROM sys.databases WHERE name = DB_NAME()")
        switch rows.first?.values.first {
        case .int(let state)?: return state == 1
        default: return false
        }
    }

    static func databaseName(_ connection: SQLServerConnection) -> String {
        if case .text(let name)? = (try? connection.query("SELECT DB_NAME() AS [name]"))?.first?.values.first { return name }
        return "<database>"
    }
}
