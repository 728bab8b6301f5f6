import Directory
import SCIM

/// The CREATE TABLE statements for a target layout in `dialect` (`scimsync init-target`),
/// in an order that lets each foreign key name an existing table: groups (with its parent
/// key), users (with its `users.group` key), then the relation table (primary key (user,
/// group), a key to each side).
///
/// Column types follow the SCIM type of the mapped attribute:
///
/// | SCIM type | MariaDB/MySQL | PostgreSQL | SQLite | SQL Server |
/// | --- | --- | --- | --- | --- |
/// | id and references to ids | VARCHAR(64), binary collation | varchar(64) | TEXT | nvarchar(64), binary collation |
/// | string, reference | VARCHAR(255) | text | TEXT | nvarchar(255) |
/// | boolean | TINYINT(1) | boolean | INTEGER | bit |
/// | dateTime | DATETIME(6) | timestamptz | TEXT | datetime2(6) |
/// | integer | BIGINT | bigint | INTEGER | bigint |
/// | decimal | DECIMAL(38,10) | numeric | NUMERIC | decimal(38,10) |
/// | binary | LONGBLOB | bytea | BLOB | varbinary(max) |
///
/// SQL Server has no `CREATE TABLE IF NOT EXISTS`: each statement is guarded by
/// `IF OBJECT_ID(N'schema.table', N'U') IS NULL` (indexes by a `sys.indexes` lookup).
///
/// Only ids are NOT NULL: an attribute a resource lacks is NULL. PostgreSQL's foreign keys
/// are DEFERRABLE so that ``SQLTarget/apply(_:)`` can defer them to COMMIT; SQLite's are
/// deferred by its pragma and MariaDB's cannot be. Every statement is `IF NOT EXISTS`, so
/// running them again is harmless; existing tables are never altered.
public func createTableStatements(for layout: DirectoryLayout, dialect: SQLDialect) -> [String] {
    DDLWriter(dialect: dialect, layout: layout).statements
}

private struct DDLWriter {
    let dialect: SQLDialect
    let layout: DirectoryLayout

    var statements: [String] {
        var result: [String] = []
        let groupsID = layout.groups.flatMap { $0.attributes.idColumn } ?? "id"
        if let groups = layout.groups {
            var columns = attributeColumns(groups.attributes)
            var keys: [String] = []
            if let parent = groups.parent {
                if !columns.contains(where: { $0.name.caseInsensitiveEquals(parent) }) {
                    columns.append((parent, idType, false))
                }
                keys.append(foreignKey(parent, references: groups.table, groupsID))
            }
            result.append(createTable(groups.table, columns: columns, primaryKey: [groupsID], keys: keys))
        }
        var userColumns = attributeColumns(layout.users.attributes)
        var userKeys: [String] = []
        if let group = layout.users.group {
            if !userColumns.contains(where: { $0.name.caseInsensitiveEquals(group) }) {
                userColumns.append((group, idType, false))
            }
            if let groups = layout.groups {
                userKeys.append(foreignKey(group, references: groups.table, groupsID))
            }
        }
        let usersID = layout.users.attributes.idColumn ?? "id"
        result.append(createTable(layout.users.table, columns: userColumns, primaryKey: [usersID], keys: userKeys))
        if let membership = layout.membership {
            var keys = [foreignKey(membership.user, references: layout.users.table, usersID)]
            if let groups = layout.groups {
                keys.append(foreignKey(membership.group, references: groups.table, groupsID))
            }
            result.append(
                createTable(
                    membership.table, columns: [(membership.user, idType, true), (membership.group, idType, true)],
                    primaryKey: [membership.user, membership.group], keys: keys))
            // Deleting a group looks its memberships up by group: the primary key starts with
            // the user. InnoDB indexes every foreign key column by itself; the others do not.
            switch dialect {
            case .mariaDB:
                break
            case .sqlServer:
                let index = String("\(membership.table)_\(membership.group)_idx".prefix(128))
                result.append(
                    sqlServerIfNoIndex(index, on: membership.table)
                        + "CREATE INDEX \(dialect.quote(index)) ON \(dialect.table(membership.table)) "
                        + "(\(dialect.quote(membership.group)))")
            case .postgres, .sqlite:
                let index = String("\(membership.table)_\(membership.group)_idx".prefix(63))
                result.append(
                    "CREATE INDEX IF NOT EXISTS \(dialect.quote(index)) ON \(dialect.table(membership.table)) "
                        + "(\(dialect.quote(membership.group)))")
            }
        }
        if let userName = layout.users.attributes.entries.first(where: { entry in
            entry.path.schema == nil && entry.path.subAttribute == nil && entry.path.valueFilter == nil
                && entry.path.attribute.caseInsensitiveEquals("userName")
        })?.column {
            // Lookups by userName (SCIM filters, uniqueness checks of `scimsync serve`) ignore
            // case (RFC 7643 §4.1.1 caseExact false): PostgreSQL compares LOWER(), SQLite uses
            // NOCASE, MariaDB the column's case-insensitive collation; each index matches.
            let index = String("\(layout.users.table)_\(userName)_idx".prefix(63))
            let key: String
            switch dialect {
            case .mariaDB, .sqlServer: key = dialect.quote(userName)
            case .postgres: key = "(LOWER(\(dialect.quote(userName))))"
            case .sqlite: key = "\(dialect.quote(userName)) COLLATE NOCASE"
            }
            if case .sqlServer = dialect {
                result.append(
                    sqlServerIfNoIndex(index, on: layout.users.table)
                        + "CREATE INDEX \(dialect.quote(index)) ON \(dialect.table(layout.users.table)) (\(key))")
            } else {
                result.append(
                    "CREATE INDEX IF NOT EXISTS \(dialect.quote(index)) ON \(dialect.table(layout.users.table)) (\(key))")
            }
        }
        return result
    }

    /// The distinct mapped columns with their types; the id column is NOT NULL.
    private func attributeColumns(_ map: AttributeMap) -> [(name: String, type: String, notNull: Bool)] {
        var columns: [(name: String, type: String, notNull: Bool)] = []
        for entry in map.entries where !columns.contains(where: { $0.name.caseInsensitiveEquals(entry.column) }) {
            if entry.column.caseInsensitiveEquals(map.idColumn ?? "") {
                columns.append((entry.column, idType, true))
            } else {
                var path = entry.path
                // `emails[type eq "work"]` stands for the element's `value`.
                if path.valueFilter != nil, path.subAttribute == nil { path.subAttribute = "value" }
                columns.append((entry.column, sqlType(attributeType(for: path)), false))
            }
        }
        return columns
    }

    /// SCIM ids are case-exact (RFC 7643 §3.1): MariaDB's and SQL Server's default collations
    /// would make `a1` and `A1` one key, so id columns (and the columns that refer to them,
    /// which SQL Server requires to have the same collation) compare bytes, which is also the
    /// order reconciliation reads ids in. SQL Server's BIN2 compares UTF-16 code units: the
    /// same order except for characters above U+FFFF against U+E000...U+FFFF.
    private var idType: String {
        switch dialect {
        case .mariaDB: "VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
        case .postgres: "varchar(64)"
        case .sqlite: "TEXT"
        case .sqlServer: "nvarchar(64) COLLATE \(SQLDialect.sqlServerBinaryCollation)"
        }
    }

    private func sqlType(_ type: AttributeDefinition.DataType) -> String {
        switch (type, dialect) {
        case (.string, .mariaDB), (.reference, .mariaDB), (.complex, .mariaDB): "VARCHAR(255)"
        case (.string, .postgres), (.reference, .postgres), (.complex, .postgres): "text"
        case (.string, .sqlite), (.reference, .sqlite), (.complex, .sqlite): "TEXT"
        case (.boolean, .mariaDB): "TINYINT(1)"
        case (.boolean, .postgres): "boolean"
        case (.boolean, .sqlite): "INTEGER"
        case (.dateTime, .mariaDB): "DATETIME(6)"
        case (.dateTime, .postgres): "timestamptz"
        case (.dateTime, .sqlite): "TEXT"
        case (.integer, .mariaDB): "BIGINT"
        case (.integer, .postgres): "bigint"
        case (.integer, .sqlite): "INTEGER"
        case (.decimal, .mariaDB): "DECIMAL(38,10)"
        case (.decimal, .postgres): "numeric"
        case (.decimal, .sqlite): "NUMERIC"
        case (.binary, .mariaDB): "LONGBLOB"
        case (.binary, .postgres): "bytea"
        case (.binary, .sqlite): "BLOB"
        case (.string, .sqlServer), (.reference, .sqlServer), (.complex, .sqlServer): "nvarchar(255)"
        case (.boolean, .sqlServer): "bit"
        case (.dateTime, .sqlServer): "datetime2(6)"
        case (.integer, .sqlServer): "bigint"
        case (.decimal, .sqlServer): "decimal(38,10)"
        case (.binary, .sqlServer): "varbinary(max)"
        }
    }

    private func foreignKey(_ column: String, references table: String, _ key: String) -> String {
        let clause = "FOREIGN KEY (\(dialect.quote(column))) REFERENCES \(dialect.table(table)) (\(dialect.quote(key)))"
        switch dialect {
        case .postgres: return clause + " DEFERRABLE INITIALLY IMMEDIATE"
        case .mariaDB, .sqlite, .sqlServer: return clause
        }
    }

    private func createTable(
        _ table: String, columns: [(name: String, type: String, notNull: Bool)], primaryKey: [String], keys: [String]
    ) -> String {
        var lines = columns.map { "  \(dialect.quote($0.name)) \($0.type)\($0.notNull ? " NOT NULL" : "")" }
        lines.append("  PRIMARY KEY (\(primaryKey.map(dialect.quote).joined(separator: ", ")))")
        lines += keys.map { "  " + $0 }
        let body = "\(dialect.table(table)) (\n" + lines.joined(separator: ",\n") + "\n)"
        switch dialect {
        case .mariaDB: return "CREATE TABLE IF NOT EXISTS " + body + " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"
        case .postgres, .sqlite: return "CREATE TABLE IF NOT EXISTS " + body
        case .sqlServer: return "IF OBJECT_ID(\(sqlServerName(table)), N'U') IS NULL CREATE TABLE " + body
        }
    }

    /// `N'[schema].[table]'`: the object name OBJECT_ID parses, as a literal whose quotes are
    /// doubled. Names come from the layout, never from data.
    private func sqlServerName(_ table: String) -> String {
        "N'" + dialect.table(table).replacingAll("'", with: "''") + "'"
    }

    /// `IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE …) `: SQL Server has no
    /// `CREATE INDEX IF NOT EXISTS`.
    private func sqlServerIfNoIndex(_ index: String, on table: String) -> String {
        "IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'\(index.replacingAll("'", with: "''"))' "
            + "AND object_id = OBJECT_ID(\(sqlServerName(table)))) "
    }
}
