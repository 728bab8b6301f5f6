import Config
import Connectors
import Directory
import Foundation
import Logging
import MySQLBinlog
import Reconcile
import SQLClients
import SQLProbe

/// A MySQL/MariaDB source as the pipeline reaches it: the binlog from a position (row events,
/// with what the binlog does not carry recovered from the source: TRUNCATE, foreign-key
/// cascades), a consistent snapshot (`START TRANSACTION WITH CONSISTENT SNAPSHOT` and its
/// binlog position), and a check of the source's tables against the layout.
public struct MySQLConnector: SourceConnector {
    /// Where the source is and what the pipeline reads from it.
    public struct Settings: Sendable {
        public var host: String
        public var port: Int
        public var user: String
        public var password: String
        public var database: String
        /// The replica id announced to the server.
        public var serverID: UInt32
        public var layout: DirectoryLayout
        public var onDelete: DeletePolicy
        /// Whether the configuration chose ``serverID`` (rather than the pipeline's default).
        public var serverIDGiven: Bool
        /// Where the source's settings are in the configuration, for messages
        /// (`pipelines[0].source.mysql`).
        public var keyPath: String
        /// How long a read on the source's statement connections (the snapshot's chunks, the
        /// catalog, the lag's position) may wait for the server before the connection counts
        /// as lost. Without it a server that stops answering with the connection still open
        /// (a frozen host, a failover that leaves no RST, a network that drops packets) holds
        /// the read forever: a first load would wait for good instead of failing and starting
        /// again. Each of those statements reads keyed chunks or catalog rows, so two minutes
        /// of silence is never a slow answer. The replication connection has its own bound,
        /// three heartbeat periods.
        public var readTimeout: Duration

        public init(
            host: String, port: Int, user: String, password: String, database: String, serverID: UInt32,
            layout: DirectoryLayout, onDelete: DeletePolicy, serverIDGiven: Bool = true, keyPath: String = "source.mysql",
            readTimeout: Duration = Self.defaultReadTimeout
        ) {
            self.serverIDGiven = serverIDGiven
            self.keyPath = keyPath
            self.readTimeout = readTimeout
            self.host = host
            self.port = port
            self.user = user
            self.password = password
            self.database = database
            self.serverID = serverID
            self.layout = layout
            self.onDelete = onDelete
        }

        /// Two minutes: see ``readTimeout``.
        public static let defaultReadTimeout = Duration.seconds(120)
    }

    /// Where the table definitions the binlog was read with are kept across restarts (the
    /// offset store), so that rows written before an ALTER decode with the columns they had.
    public struct HistoryStore: Sendable {
        public var load: @Sendable () throws -> SchemaHistory
        public var save: @Sendable (SchemaHistory) throws -> Void

        public init(load: @escaping @Sendable () throws -> SchemaHistory, save: @escaping @Sendable (SchemaHistory) throws -> Void) {
            self.load = load
            self.save = save
        }
    }

    public let settings: Settings
    private var keyPath: String { settings.keyPath }
    private let history: HistoryStore
    private let logger: Logger
    private let catalog: SourceCatalog

    public init(_ settings: Settings, history: HistoryStore, logger: Logger) {
        self.settings = settings
        self.history = history
        self.logger = logger
        catalog = SourceCatalog { try settings.connect() }
    }

    public func openStream(from position: SourcePosition) async throws -> any ChangeSource {
        try await openStream(from: position, connectionChanged: { _ in })
    }

    public func openStream(
        from position: SourcePosition, connectionChanged: @escaping @Sendable (String?) -> Void
    ) async throws -> any ChangeSource {
        guard case .binlog(let file, let offset, _) = position else {
            throw MySQLConnectorError.notABinlogPosition("\(position)")
        }
        let (settings, layout) = (self.settings, self.settings.layout)
        // Foreign keys whose cascades the binlog does not carry, read afresh at every start (a
        // schema change that breaks the mapping ends in a new start).
        let cascades: CascadeRules
        do {
            cascades = try await catalog.withConnection { connection in
                try CascadeRules(connection: connection, database: settings.database, layout: layout)
            }
        } catch let error as MariaDBError where error.meansSourceGone {
            throw SourceFailure.unavailable("\(error)")
        }
        let reader = BinlogChangeReader(
            configuration: .init(
                host: settings.host, port: settings.port, user: settings.user, password: settings.password,
                serverID: settings.serverID, filter: TableFilter(tables: Self.tables(of: layout, database: settings.database))),
            start: .filePosition(file: file, position: offset), catalog: catalog, history: try history.load(), logger: logger,
            connectionChanged: connectionChanged)
        let (save, check) = (history.save, self)
        return BinlogChangeSource(
            reader: reader,
            options: .init(
                layout: layout, onDelete: settings.onDelete, database: settings.database,
                mappingProblem: { try await check.mappingProblem() },
                unloggedEffect: { cascades.unloggedEffect(of: $0) }, saveHistory: save))
    }

    public func openSnapshot() async throws -> any SourceSnapshot {
        let connection = try settings.connect()
        let types = try SourceIDTypes(connection: connection, layout: settings.layout)
        return MySQLSnapshot(try ConsistentSnapshot(connection: connection), layout: settings.layout, idTypes: types)
    }

    public func mappingProblem() async throws -> String? {
        let (layout, database) = (settings.layout, settings.database)
        return try await catalog.withConnection { connection in
            try MappingCheck.problem(layout: layout, database: database, connection: connection)
        }
    }

    public func hasReached(_ committed: SourcePosition, _ snapshot: SourcePosition) -> Bool {
        guard case .binlog(let file, let offset, _) = committed, case .binlog(let snapshotFile, let snapshotOffset, _) = snapshot
        else { return false }
        return !(BinlogPosition(file: file, offset: offset) < BinlogPosition(file: snapshotFile, offset: snapshotOffset))
    }

    public func lag(committed: SourcePosition, sourceTime: Int64?) -> SourceLag? {
        guard case .binlog(_, _, _) = committed else { return .unknown("not a binlog position: \(committed)") }
        do {
            let connection = try MariaDBConnection(
                host: settings.host, port: settings.port, user: settings.user, password: settings.password, connectTimeout: 5,
                readTimeout: settings.readTimeoutSeconds)
            let now = try connection.currentBinlogPosition()
            let current = BinlogPosition(file: now.file, offset: now.offset)
            if Self.isCaughtUp(committed, now: now) { return .caughtUp }
            return .behind(
                sourcePosition: current.description,
                seconds: sourceTime.map { max(0, Int64(Date().timeIntervalSince1970) - $0) })
        } catch {
            return .unknown("\(error)")
        }
    }

    /// Whether `committed` has everything the server logged up to `now`: at or past its
    /// position, or, on another file, at the same GTID position. A rotation (FLUSH BINARY
    /// LOGS, a server restart, `max_binlog_size`) moves the server's position to a new file
    /// with no transaction in it, and the committed position stays at the old file's end
    /// until the next transaction arrives.
    static func isCaughtUp(_ committed: SourcePosition, now: BinlogCoordinates) -> Bool {
        guard case .binlog(let file, let offset, let gtid) = committed else { return false }
        if !(BinlogPosition(file: file, offset: offset) < BinlogPosition(file: now.file, offset: now.offset)) { return true }
        guard let gtid, let current = now.gtid else { return false }
        func domains(_ text: String) -> Set<Substring> {
            Set(text.split(separator: ",").map { $0.drop { $0 == " " } }.filter { !$0.isEmpty })
        }
        let stored = domains(gtid)
        return !stored.isEmpty && stored == domains(current)
    }

    /// The server answers, the layout's tables have the columns it maps, the server logs full
    /// row images the user may read, and the replica id is not the server's own.
    public func probe() async -> [ConnectorCheck] {
        let endpoint = Endpoint(
            connection: .mysql(
                MySQLConnectionConfig(
                    host: settings.host, port: settings.port, user: settings.user, password: settings.password,
                    database: settings.database)),
            layout: settings.layout)
        // The table check names `<source>.mysql` and `<source>.layout` itself.
        let sourceKey = keyPath.hasSuffix(".mysql") ? String(keyPath.dropLast(".mysql".count)) : keyPath
        let (connected, checks) = TableCheck.run(endpoint, keyPath: sourceKey)
        return connected ? checks + binlogChecks() : checks
    }

    /// What streaming needs of the server beyond its tables.
    private func binlogChecks() -> [ConnectorCheck] {
        let settings: BinlogSettings
        do {
            settings = try self.settings.connect().binlogSettings()
        } catch {
            return [ConnectorCheck(.failed, "cannot read the binlog settings: \(error) (\(keyPath))")]
        }
        var results = settings.problems.map { ConnectorCheck(.failed, "binlog: \($0)") }
        if self.settings.serverIDGiven, let own = settings.serverID, UInt64(self.settings.serverID) == own {
            results.append(
                ConnectorCheck(
                    .failed,
                    "serverId \(self.settings.serverID) is the server's own server_id: choose another (\(keyPath).serverId)"))
        }
        if results.isEmpty {
            let metadata = settings.binlogRowMetadata.map { ", row metadata \($0)" } ?? ""
            let format = settings.binlogFormat ?? "?"
            let image = settings.binlogRowImage ?? "?"
            results.append(ConnectorCheck(.passed, "binlog on, format \(format), row image \(image)\(metadata); the user may read it"))
        }
        results += settings.recommendations.map { ConnectorCheck(.warning, "binlog: \($0)") }
        return results
    }

    /// The tables a layout reads, as `database.table`.
    public static func tables(of layout: DirectoryLayout, database: String) -> Set<String> {
        let names = [layout.users.table, layout.groups?.table, layout.membership?.table].compactMap { $0 }
        return Set(names.map { $0.contains(".") ? $0 : database + "." + $0 })
    }
}

/// Why a MySQL/MariaDB source cannot be streamed.
public enum MySQLConnectorError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The offset store holds a position of another kind of source (the configuration changed).
    case notABinlogPosition(String)

    public var description: String {
        switch self {
        case .notABinlogPosition(let position):
            "the offset store's position \(position) is not a binlog position: the source changed kind; "
                + "give this pipeline a new name or a new offsets.path to load it afresh"
        }
    }
}

extension MySQLConnector.Settings {
    func connect() throws -> MariaDBConnection {
        try MariaDBConnection(
            host: host, port: port, user: user, password: password, database: database, readTimeout: readTimeoutSeconds)
    }

    /// ``readTimeout`` in the whole seconds Connector/C takes, at least one.
    var readTimeoutSeconds: Int { max(Int(readTimeout.components.seconds), 1) }
}

/// A MySQL/MariaDB source as of one consistent snapshot.
final class MySQLSnapshot: SourceSnapshot {
    let snapshot: ConsistentSnapshot
    let layout: DirectoryLayout
    let idTypes: SourceIDTypes

    init(_ snapshot: ConsistentSnapshot, layout: DirectoryLayout, idTypes: SourceIDTypes) {
        self.snapshot = snapshot
        self.layout = layout
        self.idTypes = idTypes
    }

    var reader: any ReconcileSourceReader { SnapshotSourceReader(snapshot, layout: layout) }

    var position: SourcePosition { snapshot.position.sourcePosition }

    func finish() throws { try snapshot.finish() }

    /// Groups first, without parents (a child may come before its parent in key order), then
    /// every group's parent, roots too (a load restarted after a crash finds the first
    /// attempt's groups, and a group moved to the top in between must lose its old parent:
    /// creates leave the parent column alone), then users with their group when membership is
    /// a column of the users table, then the relation table.
    func loadPhases(chunkSize: Int) throws -> [LoadPhase]? {
        let (layout, snapshot) = (self.layout, self.snapshot)
        let mapper = ChangeMapper(layout: layout, onDelete: .delete)
        func phase(_ name: String, creates: Bool, table: String, key: [String], ops: @escaping (Row) throws -> [ResourceOp])
            -> LoadPhase
        {
            LoadPhase(name: name, creates: creates) {
                var chunks = snapshot.chunks(ofTable: table, primaryKey: key, chunkSize: chunkSize)
                return {
                    guard let rows = try chunks.next() else { return nil }
                    var batch: [ResourceOp] = []
                    batch.reserveCapacity(rows.count)
                    for row in rows { batch += try ops(row) }
                    return batch
                }
            }
        }
        func inserted(_ table: String, _ row: Row) throws -> [ResourceOp] {
            try mapper.ops(for: RowChange(table: table, kind: .insert, before: nil, after: row))
        }
        var phases: [LoadPhase] = []
        if let groups = layout.groups {
            let key = [groups.attributes.idColumn ?? "id"]
            phases.append(phase("groups", creates: true, table: groups.table, key: key) { row in
                try inserted(groups.table, row).filter { if case .moveParent = $0 { false } else { true } }
            })
            if groups.parent != nil, let groupMapper = layout.groupMapper {
                phases.append(phase("parents", creates: false, table: groups.table, key: key) { row in
                    [.moveParent(groupID: try groupMapper.id(in: row), parentID: try layout.parentID(inGroupsRow: row))]
                })
            }
        }
        let usersKey = [layout.users.attributes.idColumn ?? "id"]
        if layout.users.group == nil {
            // Each row one user and nothing else: the rows themselves, for a target that maps
            // them without building the resources (``RowTranscoder``).
            phases.append(LoadPhase(name: "users", rows: LoadRows(mapper: layout.userMapper) {
                var chunks = snapshot.chunks(ofTable: layout.users.table, primaryKey: usersKey, chunkSize: chunkSize)
                return { try chunks.next() }
            }))
        } else {
            phases.append(phase("users", creates: true, table: layout.users.table, key: usersKey) {
                try inserted(layout.users.table, $0)
            })
        }
        if let membership = layout.membership {
            // A relation row's insert is its membership's addition, nothing else (as
            // `ChangeMapper` maps it): made here without an array of operations per row.
            phases.append(LoadPhase(name: "memberships", creates: false) {
                var chunks = snapshot.chunks(ofTable: membership.table, primaryKey: [membership.user, membership.group], chunkSize: chunkSize)
                return {
                    guard let rows = try chunks.next() else { return nil }
                    var batch: [ResourceOp] = []
                    batch.reserveCapacity(rows.count)
                    for row in rows {
                        if let added = try layout.membership(inRelationRow: row) { batch.append(added.addOp) }
                    }
                    return batch
                }
            })
        }
        return phases
    }
}
