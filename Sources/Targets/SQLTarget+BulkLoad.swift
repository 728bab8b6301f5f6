import Directory
import SCIM
import SQLClients

// A first load writes new rows into empty tables: what the databases offer for that is much
// cheaper than upserts (no statement to parse per thousand rows, no conflict check per row).
extension SQLTarget {
    /// Applies one first-load batch: a batch of creates of one kind, or of member additions
    /// to a relation table, goes in one transaction through the database's bulk path
    /// (MariaDB `LOAD DATA LOCAL INFILE` from memory, PostgreSQL `COPY … FROM STDIN`, SQLite
    /// one prepared `INSERT` stepped per row); anything else, and a batch the bulk path did
    /// not write whole, goes through ``apply(_:)``.
    ///
    /// The bulk path only inserts: a row already there (a load restarted after a crash), a
    /// value the table refuses or a reference it cannot satisfy fails it (MariaDB: the rows
    /// it skipped or the warnings it raised), it is rolled back whole, and ``apply(_:)`` does
    /// the batch again with upserts, finding the row(s) to quarantine or park as a stream
    /// batch does. So the load's guarantees are the same either way.
    ///
    /// - Parameter checkingMemberReferencesLater: member additions go into a MariaDB relation
    ///   table without the server's foreign key checks (``defersMemberReferenceChecks``); the
    ///   caller then calls ``checkMemberReferences()`` once the whole phase is in.
    @discardableResult
    public func load(_ ops: [ResourceOp], checkingMemberReferencesLater: Bool = false) throws(TargetError) -> ApplyResult {
        // A row the mapping refuses (a value longer than its column) is for `apply` to quarantine.
        guard hasBulkPath, bulkLoadRefusal == nil, !fillsColumnDefaults, let bulk = (try? bulkRows(ops)) ?? nil else {
            return try apply(ops)
        }
        var result = ApplyResult()
        do {
            try writeBulkInTransaction(bulk, foreignKeyChecks: !(checkingMemberReferencesLater && defersMemberReferenceChecks))
            result.statements = 1
            result.applied[bulk.kind] = ops.count
            result.loadedInBulk = true
            return result
        } catch {
            // Rolled back: the upserts find what the bulk path could not write.
            let retried = try apply(ops)
            var combined = retried
            combined.statements += 1
            return combined
        }
    }

    /// Writes `bulk` in a transaction of its own, the foreign keys deferred where the dialect
    /// can; rolled back whole when it throws.
    func writeBulkInTransaction(_ bulk: BulkRows, foreignKeyChecks: Bool = true) throws(TargetError) {
        try inTransaction { () throws(TargetError) in
            try deferForeignKeys()
            try writeBulk(bulk, foreignKeyChecks: foreignKeyChecks)
        }
    }

    /// SQL Server's bulk copy (TDS bulk load, db-lib's `bcp_*` functions) is not used by
    /// `SQLServerClient`: a SQL Server first load writes upserts.
    var hasBulkPath: Bool {
        switch dialect {
        case .mariaDB, .postgres, .sqlite: true
        case .sqlServer: false
        }
    }

    /// Rows for the bulk path: one table's, of a batch of creates of one kind with distinct
    /// ids or of member additions to a relation table; nil for any other batch.
    func bulkRows(_ ops: [ResourceOp]) throws(TargetError) -> BulkRows? {
        guard let first = ops.first else { return nil }
        let kind = TargetOperation(first)
        switch first {
        case .create(let resourceKind, _):
            guard runEnd(ops, from: 0) == ops.count else { return nil }
            let table = try mappedTable(resourceKind, kind)
            let name = table.table.name
            var rows: [[SQLValue]] = []
            rows.reserveCapacity(ops.count)
            // Every row fills the map's columns, in the same order.
            for op in ops {
                guard case .create(_, let resource) = op else { return nil }
                rows.append(
                    try mapping(kind, name) { () throws(RowMappingError) in
                        try table.mapper.rowValues(from: resource, columnTypes: table.rowColumnTypes)
                    })
            }
            return BulkRows(kind: kind, table: name, columns: table.mapper.rowColumns.map(table.table.column), rows: rows)
        case .addMember:
            return try memberRowMaker?.bulkRows(ops)
        case .patch, .delete, .deactivate, .reactivate, .removeMember, .moveParent:
            return nil
        }
    }

    /// Writes `bulk` inside the caller's transaction; throws when not every row was written
    /// as it was given. Without `foreignKeyChecks` (MariaDB only, for this statement alone),
    /// the caller checks the keys afterwards.
    func writeBulk(_ bulk: BulkRows, foreignKeyChecks: Bool = true) throws(TargetError) {
        let columns = bulk.columns.map(dialect.quote).joined(separator: ", ")
        let table = dialect.table(bulk.table)
        do {
            switch connection {
            case let mariaDB as MariaDBConnection:
                var data: [UInt8] = []
                guard BulkRowText.append(bulk.rows, format: .loadData, to: &data) else { throw BulkNotWritten() }
                // The file name is not read (see `MariaDBConnection.loadLocalData`).
                // `SET STATEMENT … FOR` leaves the session's own setting alone.
                let statement = (foreignKeyChecks ? "" : "SET STATEMENT foreign_key_checks = 0 FOR ")
                    + "LOAD DATA LOCAL INFILE 'scimsync-rows' INTO TABLE \(table) CHARACTER SET utf8mb4 (\(columns))"
                do {
                    let loaded = try mariaDB.loadLocalData(statement, data: data)
                    guard loaded.affectedRows == UInt64(bulk.rows.count), loaded.warnings == 0 else { throw BulkNotWritten() }
                } catch let error as MariaDBError where Self.refusesLocalInfile(error) {
                    bulkLoadRefusal =
                        "the MariaDB server refuses LOAD DATA LOCAL (\(error.code)); the first load writes multi-row upserts instead"
                    throw error
                }
            case let postgres as PostgresConnection:
                var data: [UInt8] = []
                guard BulkRowText.append(bulk.rows, format: .copy, to: &data) else { throw BulkNotWritten() }
                try postgres.copyIn("COPY \(table) (\(columns)) FROM STDIN", data: data)
            case let sqlite as SQLiteDatabase:
                let markers = Array(repeating: "?", count: bulk.columns.count).joined(separator: ", ")
                try sqlite.executeEach("INSERT INTO \(table) (\(columns)) VALUES (\(markers))", rows: bulk.rows)
            default:
                throw BulkNotWritten()
            }
        } catch {
            throw TargetError(bulk.kind, table: bulk.table, underlying: error)
        }
    }

    /// ER_NOT_ALLOWED_COMMAND (1148: "The used command is not allowed with this MariaDB
    /// version", the server's `local_infile` off), ER_LOAD_INFILE_CAPABILITY_DISABLED (4166),
    /// and the client's own refusal (2068, CR_LOAD_DATA_LOCAL_INFILE_REJECTED).
    static func refusesLocalInfile(_ error: MariaDBError) -> Bool {
        [1148, 4166, 2068].contains(error.code)
    }
}

/// One table's new rows for ``SQLTarget/load(_:)``: column names as the catalog spells them.
struct BulkRows {
    var kind: TargetOperation
    var table: String
    var columns: [String]
    var rows: [[SQLValue]]
    /// How many rows: `rows.count`, or those of `copyText`.
    var count: Int
    /// The rows in PostgreSQL COPY's text format, made ahead (on the load's reading thread)
    /// instead of `rows`.
    var copyText: [UInt8]?

    init(kind: TargetOperation, table: String, columns: [String], rows: [[SQLValue]]) {
        self.kind = kind
        self.table = table
        self.columns = columns
        self.rows = rows
        self.count = rows.count
    }

    init(kind: TargetOperation, table: String, columns: [String], copyText: [UInt8], count: Int) {
        self.kind = kind
        self.table = table
        self.columns = columns
        self.rows = []
        self.count = count
        self.copyText = copyText
    }
}

/// The bulk path did not write every row as given (a skipped row, a warning, a value without
/// a text form): the batch is rolled back and applied with upserts.
struct BulkNotWritten: Error {}

/// Makes a chunk of member additions into rows of the relation table. It needs no connection,
/// so the load's reading thread can do it while the target's connection sends the previous
/// chunk.
struct MemberRowMaker: Sendable {
    let relation: TargetTable
    let membership: MembershipTable
    let userType: ColumnType
    let groupType: ColumnType

    /// The rows of `ops`, member additions only; nil for any other chunk.
    func bulkRows(_ ops: [ResourceOp]) throws(TargetError) -> BulkRows? {
        var rows: [[SQLValue]] = []
        rows.reserveCapacity(ops.count)
        for op in ops {
            guard case .addMember(let group, let user) = op else { return nil }
            do {
                rows.append([
                    try relation.idValue(user, column: membership.user, type: userType),
                    try relation.idValue(group, column: membership.group, type: groupType),
                ])
            } catch {
                throw TargetError(.mapping(.addMember, table: relation.name, error))
            }
        }
        return BulkRows(
            kind: .addMember, table: relation.name,
            columns: [relation.column(membership.user), relation.column(membership.group)], rows: rows)
    }

    /// The rows of `ops` in PostgreSQL COPY's text format, or nil where the bulk path cannot
    /// take the chunk whole (another operation, a value without a text form or refused).
    func copyRows(_ ops: [ResourceOp]) -> BulkRows? {
        guard let bulk = (try? bulkRows(ops)) ?? nil else { return nil }
        var text: [UInt8] = []
        guard BulkRowText.append(bulk.rows, format: .copy, to: &text) else { return nil }
        return BulkRows(kind: bulk.kind, table: bulk.table, columns: bulk.columns, copyText: text, count: bulk.count)
    }
}

extension SQLTarget {
    /// The relation table's row maker; nil without a relation table.
    var memberRowMaker: MemberRowMaker? {
        guard let relation, let membership = layout.membership else { return nil }
        return MemberRowMaker(
            relation: relation, membership: membership, userType: relation.idType(membership.user),
            groupType: relation.idType(membership.group))
    }
}
