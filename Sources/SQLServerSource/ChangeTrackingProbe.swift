import Connectors
import Directory
import SQLServerClient

/// What `scimsync check` finds about streaming from a SQL Server source, once it answers and
/// its tables fit the layout: change tracking on for the database and each table (with the
/// updated columns tracked), snapshot isolation allowed, the account's right to read the
/// tables and their changes, each table's primary key, and a retention that outlasts
/// `reconcile.every`. Each finding that fails names the T-SQL that fixes it.
struct ChangeTrackingProbe {
    let settings: SQLServerConnector.Settings

    func run() -> [ConnectorCheck] {
        let connection: SQLServerConnection
        do {
            connection = try settings.connect(queryTimeout: 30, connectTimeout: 5)
        } catch {
            return [ConnectorCheck(.failed, "\(error) (\(settings.keyPath))")]
        }
        do {
            return try checks(connection)
        } catch {
            return [ConnectorCheck(.failed, "cannot read the change-tracking settings: \(error) (\(settings.keyPath))")]
        }
    }

    private func checks(_ connection: SQLServerConnection) throws -> [ConnectorCheck] {
        let database = TSQLName.quote(settings.connection.database)
        var results: [ConnectorCheck] = []
        let tracking = try connection.query(
            "SELECT retention_period AS [period], retention_period_units_desc AS [units], is_auto_cleanup_on AS [cleanup] "
                + "FROM sys.change_tracking_databases WHERE database_id = DB_ID()")
        if let row = tracking.first {
            results += retentionChecks(row, database: database)
        } else {
            results.append(
                ConnectorCheck(
                    .failed,
                    "change tracking is off for database \(settings.connection.database): ALTER DATABASE \(database) "
                        + "SET CHANGE_TRACKING = ON (CHANGE_RETENTION = 7 DAYS, AUTO_CLEANUP = ON)"))
        }
        if try SQLServerMappingCheck.snapshotIsolationAllowed(connection) {
            results.append(ConnectorCheck(.passed, "snapshot isolation is allowed (polls and snapshots read one consistent version)"))
        } else {
            results.append(
                ConnectorCheck(
                    .failed,
                    "snapshot isolation is not allowed in database \(settings.connection.database): "
                        + "ALTER DATABASE \(database) SET ALLOW_SNAPSHOT_ISOLATION ON"))
        }
        let current: SQLValue = try connection.query("SELECT CHANGE_TRACKING_CURRENT_VERSION() AS [v]").first?.values.first ?? .null
        for table in settings.tables {
            results += try tableChecks(table, connection: connection, current: current)
        }
        return results
    }

    private func tableChecks(_ table: TrackedTable, connection: SQLServerConnection, current: SQLValue) throws -> [ConnectorCheck] {
        let name = table.qualified
        let grant = "GRANT SELECT, VIEW CHANGE TRACKING ON \(name) TO \(TSQLName.quote(settings.connection.user))"
        var results: [ConnectorCheck] = []
        let key = try SQLServerMappingCheck.primaryKey(of: table, connection: connection)
        if Set(key.map { $0.lowercased() }) != Set(table.keyColumns.map { $0.lowercased() }) {
            results.append(
                ConnectorCheck(
                    .failed,
                    "table \(name) must have the primary key (\(table.keyColumns.joined(separator: ", "))): change tracking "
                        + "names a changed row by its primary key (it has "
                        + (key.isEmpty ? "none" : "(\(key.joined(separator: ", ")))") + ")"))
        }
        results += try collationChecks(table, connection: connection)
        let tracked = try connection.query(
            "SELECT is_track_columns_updated_on AS [columns] FROM sys.change_tracking_tables WHERE object_id = OBJECT_ID(@p1)",
            [.text(table.objectName)])
        guard let row = tracked.first else {
            return results + [
                ConnectorCheck(.failed, "change tracking is off for table \(name): ALTER TABLE \(name) ENABLE CHANGE_TRACKING WITH (TRACK_COLUMNS_UPDATED = ON)")
            ]
        }
        if case .bool(true)? = row.values.first {
            results.append(ConnectorCheck(.passed, "change tracking is on for table \(name), with updated columns"))
        } else if case .int(1)? = row.values.first {
            results.append(ConnectorCheck(.passed, "change tracking is on for table \(name), with updated columns"))
        } else {
            results.append(
                ConnectorCheck(
                    .warning,
                    "change tracking of table \(name) does not record updated columns, so every update sets every mapped "
                        + "attribute: ALTER TABLE \(name) DISABLE CHANGE_TRACKING; ALTER TABLE \(name) ENABLE CHANGE_TRACKING "
                        + "WITH (TRACK_COLUMNS_UPDATED = ON)"))
        }
        do {
            _ = try connection.query("SELECT TOP (0) * FROM \(name)")
        } catch let error as SQLServerError where error.kind == .permissionDenied {
            return results + [ConnectorCheck(.failed, "user \(settings.connection.user) may not read table \(name): \(grant)")]
        }
        do {
            _ = try connection.query("SELECT TOP (1) c.SYS_CHANGE_VERSION FROM CHANGETABLE(CHANGES \(name), @p1) AS c", [current])
            results.append(ConnectorCheck(.passed, "user \(settings.connection.user) may read table \(name) and its changes"))
        } catch let error as SQLServerError where error.kind == .permissionDenied {
            results.append(
                ConnectorCheck(.failed, "user \(settings.connection.user) may not read the changes of table \(name): \(grant)"))
        } catch let error as SQLServerError where error.number == 22105 {
            results.append(
                ConnectorCheck(.failed, "change tracking is off for table \(name): ALTER TABLE \(name) ENABLE CHANGE_TRACKING WITH (TRACK_COLUMNS_UPDATED = ON)"))
        }
        return results
    }

    /// A warning for each text key column whose collation is not binary: such a column makes
    /// ids that differ only in case one key (SCIM ids are case-exact), and returns ids in an
    /// order other than the byte order reconciliation reads both sides in, so that a pass (a
    /// periodic one, or the recovery from a lost version) stops with a message instead of
    /// comparing.
    private func collationChecks(_ table: TrackedTable, connection: SQLServerConnection) throws -> [ConnectorCheck] {
        let rows = try connection.query(
            "SELECT COLUMN_NAME AS [name], DATA_TYPE AS [type], CHARACTER_MAXIMUM_LENGTH AS [length], "
                + "COLLATION_NAME AS [collation] FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = @p1 AND TABLE_NAME = @p2",
            [.text(table.schema), .text(table.table)])
        var results: [ConnectorCheck] = []
        for row in rows {
            guard case .text(let name)? = row["name"], case .text(let collation)? = row["collation"],
                table.keyColumns.contains(where: { $0.caseInsensitiveCompare(name) == .orderedSame }),
                !Self.isBinary(collation)
            else { continue }
            let type: String =
                switch (row["type"], row["length"]) {
                case (.text(let type)?, .int(let length)?): length < 0 ? "\(type)(max)" : "\(type)(\(length))"
                case (.text(let type)?, _): type
                default: "nvarchar(64)"
                }
            results.append(
                ConnectorCheck(
                    .warning,
                    "key column \(TSQLName.quote(name)) of table \(table.qualified) has collation \(collation), which is not "
                        + "binary: ids differing only in case are one key (SCIM ids are case-exact), and reconciliation, "
                        + "which reads ids in byte order, stops on this table's order; give the column a binary collation: "
                        + "ALTER TABLE \(table.qualified) ALTER COLUMN \(TSQLName.quote(name)) \(type) COLLATE "
                        + "Latin1_General_100_BIN2 NOT NULL (drop and recreate the keys that use the column around it)"))
        }
        return results
    }

    /// Whether a collation compares code units: `_BIN` and `_BIN2` collations.
    static func isBinary(_ collation: String) -> Bool {
        collation.uppercased().split(separator: "_").contains { $0 == "BIN" || $0 == "BIN2" }
    }

    /// Passed, or a warning when changes are kept for less time than `reconcile.every`: a
    /// pipeline stopped longer than the retention has lost its version and reloads through a
    /// reconciliation, which should not be the usual way to catch up.
    private func retentionChecks(_ row: Row, database: String) -> [ConnectorCheck] {
        guard case .int(let period)? = row["period"], case .text(let units)? = row["units"] else {
            return [ConnectorCheck(.passed, "change tracking is on for database \(settings.connection.database)")]
        }
        let unitSeconds: Int64 =
            switch units.uppercased() {
            case "MINUTES": 60
            case "HOURS": 3600
            default: 86_400
            }
        let retention = period * unitSeconds
        let text = "\(period) \(units.lowercased())"
        if let every = settings.reconcileEvery, Int64(every.components.seconds) > retention {
            return [
                ConnectorCheck(
                    .warning,
                    "change tracking keeps changes for \(text), less than reconcile.every: a pipeline stopped longer than that "
                        + "reloads by reconciling; ALTER DATABASE \(database) SET CHANGE_TRACKING (CHANGE_RETENTION = "
                        + "\(max(1, (every.components.seconds + 86_399) / 86_400)) DAYS)")
            ]
        }
        return [ConnectorCheck(.passed, "change tracking is on for database \(settings.connection.database), retention \(text)")]
    }
}
