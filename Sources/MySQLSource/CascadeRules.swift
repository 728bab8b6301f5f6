import Directory
import SQLClients

/// The source's foreign keys that change a layout table's rows behind the binlog's back, and the
/// row changes that set them off.
///
/// InnoDB runs a foreign key's `ON DELETE` and `ON UPDATE` actions inside the storage engine,
/// below the server layer that writes row events: the binlog carries the parent's row change
/// and nothing of the children it deleted or updated (MariaDB manual, "Replication and Foreign
/// Keys": "cascading deletes or updates based on foreign key relations are an internal
/// mechanism, and are not written to the binary log"; CascadeBinlogTests confirms it on
/// MariaDB 10.11 with `binlog_format=ROW`). A replica of the stream would keep the children as
/// they were, so a change that cascades calls for a resync of the layout. (MySQL 9's SQL-layer
/// foreign keys, `innodb_native_foreign_keys=OFF`, do log the children's rows; MySQL's native
/// InnoDB handling is MariaDB's case.)
public struct CascadeRules: Sendable, Hashable {
    /// A foreign key of a layout table with at least one cascading action.
    public typealias ForeignKey = MariaDBForeignKey

    /// The database holding the layout's unqualified tables.
    public let database: String
    /// The layout tables' foreign keys with a cascading `ON DELETE` or `ON UPDATE` action.
    public let foreignKeys: [ForeignKey]

    /// The referenced (parent) tables of ``foreignKeys``, as `schema.table`. Changes to a parent
    /// that is no layout table never reach ``unloggedEffect(of:)`` unless the stream's table
    /// filter includes it.
    public var referencedTables: Set<String> {
        Set(foreignKeys.map { "\($0.referencedSchema).\($0.referencedTable)" })
    }

    public init(database: String, foreignKeys: [ForeignKey]) {
        self.database = database
        self.foreignKeys = foreignKeys.filter { $0.deleteChangesChildren || $0.updateChangesChildren }
    }

    /// Reads the foreign keys of the layout's tables (users, groups, relation) from
    /// `information_schema.REFERENTIAL_CONSTRAINTS` and `KEY_COLUMN_USAGE`.
    ///
    /// - Parameter database: the database holding the layout's tables; a table spelt
    ///   `schema.table` is looked up in `schema`.
    public init(connection: MariaDBConnection, database: String, layout: DirectoryLayout) throws {
        var keys: [ForeignKey] = []
        for use in layout.tableUses {
            let parts = use.table.split(separator: ".", maxSplits: 1).map(String.init)
            let (schema, table) = parts.count == 2 ? (parts[0], parts[1]) : (database, use.table)
            keys += try connection.foreignKeys(ofTable: table, database: schema)
        }
        self.init(database: database, foreignKeys: keys)
    }

    /// Why `change` changes rows that the binlog does not show, or nil when it changes none:
    ///
    /// - a delete of a row of a referenced table whose foreign key deletes or updates the
    ///   children (`ON DELETE CASCADE`, `SET NULL`, `SET DEFAULT`);
    /// - an update of a referenced row that changes a referenced column, under such an
    ///   `ON UPDATE` action.
    ///
    /// Inserts, updates that leave the referenced columns alone, and rows whose referenced
    /// columns are NULL (which no child can reference) are nil. Whether a child row exists is
    /// not asked: the answer would come from the source's present, not from the moment of the
    /// change.
    public func unloggedEffect(of change: RowChange) -> String? {
        let parents = foreignKeys.filter { references($0, change.table) }
        guard !parents.isEmpty else { return nil }
        switch change.kind {
        case .insert:
            return nil
        case .delete:
            let cascading = parents.filter { $0.deleteChangesChildren && !Self.referencesNull($0, change.before) }
            guard !cascading.isEmpty else { return nil }
            return "a delete in \(change.table) cascades to "
                + Self.list(cascading.map { "\($0.table) (ON DELETE \($0.deleteRule))" })
                + ", which the binlog does not carry"
        case .update:
            let cascading = parents.filter { key in
                key.updateChangesChildren && !Self.referencesNull(key, change.before)
                    && Self.changed(key.referencedColumns, change.before, change.after)
            }
            guard !cascading.isEmpty else { return nil }
            let columns = cascading.flatMap(\.referencedColumns).reduce(into: [String]()) { names, column in
                guard Self.changed([column], change.before, change.after),
                    !names.contains(where: { $0.lowercased() == column.lowercased() })
                else { return }
                names.append(column)
            }
            return "an update of \(Self.list(columns.map { "\(change.table).\($0)" })) cascades to "
                + Self.list(cascading.map { "\($0.table) (ON UPDATE \($0.updateRule))" })
                + ", which the binlog does not carry"
        }
    }

    // MARK: Matching

    /// Whether `key` references the table a row change names (as the layout names it).
    private func references(_ key: ForeignKey, _ table: String) -> Bool {
        let table = table.lowercased()
        let referenced = key.referencedTable.lowercased()
        let schema = key.referencedSchema.lowercased()
        return (table == referenced && schema == database.lowercased()) || table == "\(schema).\(referenced)"
    }

    /// Whether `row` holds NULL in one of the key's referenced columns: a foreign key matches
    /// no parent with a NULL in its key (MATCH SIMPLE, the only kind InnoDB has).
    private static func referencesNull(_ key: ForeignKey, _ row: Row?) -> Bool {
        key.referencedColumns.contains { row?[$0] == .null }
    }

    /// Whether one of `columns` differs between the images; a column either image lacks counts
    /// as changed (a minimal row image cannot prove it unchanged).
    private static func changed(_ columns: [String], _ before: Row?, _ after: Row?) -> Bool {
        columns.contains { column in
            guard let old = before?[column], let new = after?[column] else { return true }
            return old != new
        }
    }

    private static func list(_ items: [String]) -> String {
        var unique: [String] = []
        for item in items where !unique.contains(item) { unique.append(item) }
        guard unique.count > 1, let last = unique.last else { return unique.first ?? "" }
        return unique.dropLast().joined(separator: ", ") + " and " + last
    }
}

extension MariaDBForeignKey {
    /// Actions that change the child rows: the others only refuse the parent's change.
    static let changingRules: Set<String> = ["CASCADE", "SET NULL", "SET DEFAULT"]

    public var deleteChangesChildren: Bool { Self.changingRules.contains(deleteRule) }
    public var updateChangesChildren: Bool { Self.changingRules.contains(updateRule) }
}
