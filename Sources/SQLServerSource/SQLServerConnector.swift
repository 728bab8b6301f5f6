import Config
import Connectors
import Directory
import Logging
import Reconcile
import SQLClients
import SQLProbe
import SQLServerClient

/// A SQL Server source as the pipeline reaches it: change tracking polled from a version, a
/// `SNAPSHOT` transaction for the first load and reconciliation, and a check of the
/// database's tables and change-tracking settings against the layout.
public struct SQLServerConnector: SourceConnector {
    /// Where the source is and what the pipeline reads from it.
    public struct Settings: Sendable {
        public var connection: SQLServerConnectionConfig
        public var layout: DirectoryLayout
        public var onDelete: DeletePolicy
        /// The `SYS_CHANGE_CONTEXT` of writes to skip (``Config/EchoContext/echoes(of:)``).
        public var echo: [UInt8]?
        /// `reconcile.every`: change tracking's retention should outlast it.
        public var reconcileEvery: Duration?
        /// Where the source's settings are in the configuration (`pipelines[0].source.sqlserver`).
        public var keyPath: String
        /// How long a snapshot's read (a load's or a reconciliation's chunk) may wait for an
        /// answer. FreeTDS's timeout bounds each wait for the server's next packet, not a whole
        /// query, and every snapshot read is a keyed chunk: two minutes without a packet is a
        /// server that stopped answering (a frozen host, a network that drops packets), which
        /// would otherwise hold the load for good instead of failing it to be started again.
        public var snapshotReadTimeout: Duration

        public init(
            connection: SQLServerConnectionConfig, layout: DirectoryLayout, onDelete: DeletePolicy, echo: [UInt8]? = nil,
            reconcileEvery: Duration? = nil, keyPath: String = "source.sqlserver", snapshotReadTimeout: Duration = .seconds(120)
        ) {
            self.snapshotReadTimeout = snapshotReadTimeout
            self.connection = connection
            self.layout = layout
            self.onDelete = onDelete
            self.echo = echo
            self.reconcileEvery = reconcileEvery
            self.keyPath = keyPath
        }

        /// The layout's tables in apply order.
        var tables: [TrackedTable] { TrackedTable.all(in: layout, schema: connection.schema) }

        /// A new connection; `queryTimeout` bounds each answer so that a server that stops
        /// answering fails the poll instead of stalling it.
        func connect(queryTimeout: Int? = 60, connectTimeout: Int = 10) throws -> SQLServerConnection {
            let config = connection
            return try SQLServerConnection(
                host: config.host, port: config.port, user: config.user, password: config.password, database: config.database,
                connectTimeout: connectTimeout, loginTimeout: connectTimeout, queryTimeout: queryTimeout,
                encryption: SQLServerEncryption(config.encryption))
        }
    }

    public let settings: Settings
    private let logger: Logger
    /// What this connector's streams saw of the tables' minimum valid versions.
    private let minimums = TrackedMinimums()

    public init(_ settings: Settings, logger: Logger) {
        self.settings = settings
        self.logger = logger
    }

    public func openStream(from position: SourcePosition) async throws -> any ChangeSource {
        try await openStream(from: position, connectionChanged: { _ in })
    }

    /// The stream, telling `connectionChanged` when a poll has waited for the server for
    /// longer than ``ChangeTrackingSource/Options/slowPoll`` (a server that stopped answering
    /// without closing the connection) and when it answers again.
    public func openStream(
        from position: SourcePosition, connectionChanged: @escaping @Sendable (String?) -> Void
    ) async throws -> any ChangeSource {
        guard case .changeTracking(let version) = position else {
            throw SQLServerConnectorError.notAChangeTrackingPosition("\(position)")
        }
        let (settings, check) = (self.settings, self)
        let source = ChangeTrackingSource(
            open: { try settings.connect() }, from: version,
            options: .init(
                layout: settings.layout, onDelete: settings.onDelete, schema: settings.connection.schema, echo: settings.echo,
                poll: .milliseconds(max(settings.connection.pollMilliseconds, 1)),
                mappingProblem: { try await check.mappingProblem() }, minimums: minimums,
                connectionChanged: connectionChanged),
            logger: logger)
        // Connected now, so that a server that is down fails the opening, and the pipeline's
        // backoff grows from one attempt to the next: opened lazily, every stream "opened"
        // and the pipeline counted itself recovered before its first poll failed.
        try await source.connect()
        return source
    }

    public func openSnapshot() async throws -> any SourceSnapshot {
        do {
            let timeout = max(Int(settings.snapshotReadTimeout.components.seconds), 1)
            return try ChangeTrackingSnapshot(
                connection: try settings.connect(queryTimeout: timeout), layout: settings.layout, schema: settings.connection.schema)
        } catch let error as SQLServerError where error.meansSourceGone {
            throw SourceFailure.unavailable("\(error)")
        }
    }

    public func mappingProblem() async throws -> String? {
        let settings = self.settings
        return try await Self.blocking {
            try SQLServerMappingCheck.problem(tables: settings.tables, layout: settings.layout, connection: settings.connect())
        }
    }

    public func hasReached(_ committed: SourcePosition, _ snapshot: SourcePosition) -> Bool {
        guard case .changeTracking(let done) = committed, case .changeTracking(let version) = snapshot else { return false }
        return done >= version
    }

    public func lag(committed: SourcePosition, sourceTime: Int64?) -> SourceLag? {
        guard case .changeTracking(let done) = committed else { return .unknown("not a change-tracking version: \(committed)") }
        do {
            let rows = try settings.connect(queryTimeout: 5, connectTimeout: 5)
                .query("SELECT CHANGE_TRACKING_CURRENT_VERSION() AS [version]")
            guard case .int(let current)? = rows.first?.values.first else {
                return .unknown("change tracking is off for database \(settings.connection.database)")
            }
            // Change tracking keeps no commit times: the lag is in versions only.
            return done >= current ? .caughtUp : .behind(sourcePosition: "change-tracking version \(current)", seconds: nil)
        } catch {
            return .unknown("\(error)")
        }
    }

    public func probe() async -> [ConnectorCheck] {
        let endpoint = Endpoint(connection: .sqlserver(settings.connection), layout: settings.layout)
        // The table check names `<source>.sqlserver` and `<source>.layout` itself.
        let keyPath = settings.keyPath
        let sourceKey = keyPath.hasSuffix(".sqlserver") ? String(keyPath.dropLast(".sqlserver".count)) : keyPath
        let (connected, checks) = TableCheck.run(endpoint, keyPath: sourceKey)
        guard connected else { return checks }
        return checks + ChangeTrackingProbe(settings: settings).run()
    }

    /// Runs blocking client work off Swift's cooperative pool.
    static func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await BlockingThread.run(named: "scimsync.sqlserver-source") { _ in try body() }
    }
}

/// Why a SQL Server source cannot be streamed.
public enum SQLServerConnectorError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The offset store holds a position of another kind of source (the configuration changed).
    case notAChangeTrackingPosition(String)

    public var description: String {
        switch self {
        case .notAChangeTrackingPosition(let position):
            "the offset store's position \(position) is not a change-tracking version: the source changed kind; "
                + "give this pipeline a new name or a new offsets.path to load it afresh"
        }
    }
}
