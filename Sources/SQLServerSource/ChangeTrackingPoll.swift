import Directory
import SQLServerClient

/// One poll of change tracking over every layout table, in one `SNAPSHOT` transaction so that
/// the version, every table's changes and the rows joined to them are one consistent point
/// (Microsoft, "Work with Change Tracking": "use snapshot isolation ... to ensure that all the
/// change tracking information is consistent"; reading `CHANGE_TRACKING_CURRENT_VERSION()`
/// and the changes up to it in the same snapshot misses nothing and repeats nothing).
struct ChangeTrackingPoll: Sendable {
    /// What a poll found.
    enum Outcome: Sendable, Hashable {
        /// The changes after the last version, and the version to store once they are applied
        /// (everything up to it is in them; newer ones may be too, and are read again).
        case changes(version: Int64, [TrackedChange], minimums: [String: Int64])
        /// The last version is older than a table's minimum valid version: its changes were
        /// cleaned up (retention) or dropped (TRUNCATE TABLE); the reason names which.
        case positionLost(String)
        /// Change tracking is off for the database or a table; the reason names the fix.
        case notTracked(String)
    }

    let tables: [TrackedTable]
    let queries: [ChangeTrackingQuery]
    let versions: VersionQuery

    init(tables: [TrackedTable]) {
        self.tables = tables
        queries = tables.map { ChangeTrackingQuery(table: $0) }
        versions = VersionQuery(tables: tables)
    }

    /// Reads the changes after `last`.
    /// - Throws: the connection's `SQLServerError`, or ``ChangeTrackingError``.
    /// - Parameter previous: each table's minimum valid version as the last poll read it.
    func run(on connection: SQLServerConnection, after last: Int64, previous: [String: Int64] = [:]) throws -> Outcome {
        try connection.execute("SET TRANSACTION ISOLATION LEVEL SNAPSHOT")
        try connection.begin()
        do {
            try Self.startSnapshot(connection, table: tables[0])
            let outcome = try read(connection, after: last, previous: previous)
            try connection.commit()
            return outcome
        } catch {
            if !connection.isBroken { try? connection.rollback() }
            throw error
        }
    }

    /// Reads a row of a layout table first: a `SNAPSHOT` transaction's snapshot is taken at
    /// its first data access ("the data as it existed at the start of the transaction"; SQL
    /// Server docs, "SET TRANSACTION ISOLATION LEVEL": the snapshot is established "when the
    /// first statement ... accesses data"), and the version must be read inside it: a version
    /// read before the snapshot is older than the changes the poll then sees, and a row deleted
    /// and inserted again in between would be replayed as an update of a row the target no
    /// longer has.
    static func startSnapshot(_ connection: SQLServerConnection, table: TrackedTable) throws {
        _ = try connection.query("SELECT TOP (1) 1 AS [x] FROM \(table.qualified)")
    }

    private func read(_ connection: SQLServerConnection, after last: Int64, previous: [String: Int64]) throws -> Outcome {
        let (current, minimums) = try versions.decode(try connection.query(versions.sql, versions.parameters))
        guard let current else {
            return .notTracked(
                "change tracking is off for the database: ALTER DATABASE [<database>] SET CHANGE_TRACKING = ON "
                    + "(CHANGE_RETENTION = 7 DAYS, AUTO_CLEANUP = ON)")
        }
        var read: [String: Int64] = [:]
        for (table, minimum) in zip(tables, minimums) {
            guard let minimum else {
                return .notTracked(
                    "change tracking is off for table \(table.qualified): ALTER TABLE \(table.qualified) "
                        + "ENABLE CHANGE_TRACKING WITH (TRACK_COLUMNS_UPDATED = ON)")
            }
            // "If the value of last_sync_version is less than the minimum valid version, the
            // client must reinitialize" (CHANGE_TRACKING_MIN_VALID_VERSION docs).
            if last < minimum {
                return .positionLost(
                    "change tracking of \(table.qualified) keeps changes after version \(minimum) only, and this "
                        + "pipeline read up to version \(last) (changes were cleaned up after the retention period, "
                        + "or the table was truncated)")
            }
            // A minimum that moved up to this pipeline's version or past it since the last
            // poll: the table's history started again (``TrackedMinimums``).
            if let before = previous[table.name], minimum != before, minimum >= last {
                return .positionLost(
                    "change tracking of \(table.qualified) starts again at version \(minimum) (it was \(before)): the "
                        + "table was truncated, or its change tracking switched off and on, and what changed meanwhile "
                        + "is not tracked")
            }
            read[table.name] = minimum
        }
        guard current > last else { return .changes(version: max(current, last), [], minimums: read) }
        var changes: [TrackedChange] = []
        for query in queries {
            for row in try connection.query(query.sql, query.parameters(after: last)) {
                changes.append(try query.decode(row))
            }
        }
        return .changes(version: current, changes, minimums: read)
    }
}
