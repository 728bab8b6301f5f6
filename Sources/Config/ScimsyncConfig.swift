import Directory

/// A loaded and validated `scimsync.yaml`. docs/configuration.md describes every key.
public struct ScimsyncConfig: Sendable, Hashable {
    /// `offsets.path`: the SQLite offset store (positions, ownership ledger, run log).
    public var offsets: OffsetsConfig
    /// `http`: where `/healthz`, `/readyz` and `/metrics` listen.
    public var http: HTTPConfig
    public var pipelines: [PipelineConfig]
    /// `scim`: a SQL directory served as a SCIM service provider (`scimsync serve`).
    public var scim: SCIMServerConfig?
    /// `journal`: how long the operations journal keeps what it records.
    public var journal: JournalConfig
    /// What works but is not recommended (a secret written in the file): `check` prints
    /// each as a warning, `run` logs them.
    public var warnings: [String] = []

    public init(
        offsets: OffsetsConfig, http: HTTPConfig, pipelines: [PipelineConfig], scim: SCIMServerConfig?,
        journal: JournalConfig = JournalConfig()
    ) {
        self.offsets = offsets
        self.http = http
        self.pipelines = pipelines
        self.scim = scim
        self.journal = journal
    }
}

/// `journal`: the operations journal in the offset store, every operation a pipeline applied
/// with its source position and outcome, which `scimsync explain` reads.
public struct JournalConfig: Sendable, Hashable {
    /// `keep`: entries older than this are removed (default 30 days); nil (`off`) records nothing.
    public var keepSeconds: Int?
    /// `maxEntries`: at most this many entries are kept, the oldest removed first.
    public var maxEntries: Int
    /// `values`: whether an entry keeps the values it wrote, not only the attribute names.
    /// Off by default: the journal then holds no personal data beyond ids.
    public var values: Bool

    public init(keepSeconds: Int? = 30 * 86_400, maxEntries: Int = 1_000_000, values: Bool = false) {
        self.keepSeconds = keepSeconds
        self.maxEntries = maxEntries
        self.values = values
    }
}

public struct OffsetsConfig: Sendable, Hashable {
    /// Absolute, or resolved against the configuration file's directory.
    public var path: String

    public init(path: String) {
        self.path = path
    }
}

/// `http:` — the admin server of `scimsync run`: health and metrics for anyone, and, with a
/// bearer token, what pipelines serve over HTTP (the uploads and runs of feeds).
public struct HTTPConfig: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var limits: ServerLimits
    /// `token`: the bearer token every request but `/healthz`, `/readyz` and `/metrics` must
    /// send; required once a pipeline serves anything over HTTP. Never printed.
    public var token: String?
    /// `maxUploadSize`: the largest request body an upload may have, in bytes.
    public var maxUploadBytes: Int

    public init(
        host: String, port: Int, limits: ServerLimits = ServerLimits(), token: String? = nil,
        maxUploadBytes: Int = 1 << 30
    ) {
        self.host = host
        self.port = port
        self.limits = limits
        self.token = token
        self.maxUploadBytes = maxUploadBytes
    }

    /// `host:port` and whether a token is set, never the token.
    public var description: String {
        "\(host):\(port) (\(token == nil ? "no token" : "bearer token set"), uploads up to \(maxUploadBytes) bytes)"
    }
}

/// What an HTTP server of scimsync allows a client (`http:` and `scim:` blocks): how long a
/// request may take to arrive, how long a connection may wait idle, how many are open at once.
public struct ServerLimits: Sendable, Hashable {
    /// `headerTimeout`: from a request's first bytes (a new connection's first request:
    /// from the connection) to its complete head.
    public var headerTimeoutSeconds: Int
    /// `bodyTimeout`: from a request's head to the end of its body.
    public var bodyTimeoutSeconds: Int
    /// `idleTimeout`: a connection without a request for this long is closed.
    public var idleTimeoutSeconds: Int
    /// `maxConnections`: connections open at once; more wait to be accepted.
    public var maxConnections: Int

    public init(headerTimeoutSeconds: Int = 10, bodyTimeoutSeconds: Int = 60, idleTimeoutSeconds: Int = 60, maxConnections: Int = 256) {
        self.headerTimeoutSeconds = headerTimeoutSeconds
        self.bodyTimeoutSeconds = bodyTimeoutSeconds
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.maxConnections = maxConnections
    }

    /// The keys of `http:` and `scim:` that set these limits.
    static let keys = ["headerTimeout", "bodyTimeout", "idleTimeout", "maxConnections"]
}

/// One replication pipeline: a source, a target and how deletions and reconciliation behave.
public struct PipelineConfig: Sendable, Hashable {
    public var name: String
    public var source: PipelineSource
    public var target: PipelineTarget
    public var onDelete: DeletePolicy
    /// Take over target rows that match a source resource but were not created by scimsync.
    public var adopt: Bool
    public var reconcile: ReconcileConfig

    public init(
        name: String, source: PipelineSource, target: PipelineTarget, onDelete: DeletePolicy, adopt: Bool,
        reconcile: ReconcileConfig
    ) {
        self.name = name
        self.source = source
        self.target = target
        self.onDelete = onDelete
        self.adopt = adopt
        self.reconcile = reconcile
    }
}

/// Where a pipeline reads: a SQL database with its layout (the binlog of MySQL/MariaDB), or
/// a kind that decodes its own block (a SCIM service provider it pulls from ...).
public enum PipelineSource: Sendable, Hashable {
    case sql(Endpoint)
    /// A kind with a block of its own and no layout: what it reads is SCIM resources already.
    case block(kind: String, settings: AnyKindSettings)

    /// The SQL endpoint, for a SQL source.
    public var sql: Endpoint? {
        if case .sql(let endpoint) = self { return endpoint }
        return nil
    }

    /// The config key naming the kind: `mysql`, `scim` ...
    public var kind: String {
        switch self {
        case .sql(let endpoint): endpoint.connection.kind
        case .block(let kind, _): kind
        }
    }

    /// The settings of a kind that decodes its own block, when they are of type `T`.
    public func settings<T: KindSettings>(_: T.Type) -> T? {
        if case .block(_, let settings) = self { return settings.base as? T }
        return nil
    }
}

/// Where a pipeline writes: a SQL database with its layout, or a kind that decodes its own
/// block (a SCIM service provider, whose "layout" is SCIM itself ...).
public enum PipelineTarget: Sendable, Hashable {
    case sql(Endpoint)
    /// A kind with a block of its own and no layout: it takes SCIM resources as they are.
    case block(kind: String, settings: AnyKindSettings)

    /// The SQL endpoint, for a SQL target.
    public var sql: Endpoint? {
        if case .sql(let endpoint) = self { return endpoint }
        return nil
    }

    /// The config key naming the kind: `mysql`, `postgres`, `sqlite`, `scim` ...
    public var kind: String {
        switch self {
        case .sql(let endpoint): endpoint.connection.kind
        case .block(let kind, _): kind
        }
    }

    /// The settings of a kind that decodes its own block, when they are of type `T`.
    public func settings<T: KindSettings>(_: T.Type) -> T? {
        if case .block(_, let settings) = self { return settings.base as? T }
        return nil
    }
}

/// A database and the layout of the directory inside it.
public struct Endpoint: Sendable, Hashable {
    public var connection: ConnectionConfig
    public var layout: DirectoryLayout

    public init(connection: ConnectionConfig, layout: DirectoryLayout) {
        self.connection = connection
        self.layout = layout
    }
}

/// How to reach a database. Passwords arrive through `${VAR}` expansion and are never printed.
public enum ConnectionConfig: Sendable, Hashable, CustomStringConvertible {
    case mysql(MySQLConnectionConfig)
    case postgres(PostgresConnectionConfig)
    case sqlite(SQLiteConnectionConfig)
    case sqlserver(SQLServerConnectionConfig)

    /// The config key naming this kind: `mysql`, `postgres`, `sqlite` or `sqlserver`.
    public var kind: String {
        switch self {
        case .mysql: "mysql"
        case .postgres: "postgres"
        case .sqlite: "sqlite"
        case .sqlserver: "sqlserver"
        }
    }

    /// The kind and where it points, never the password.
    public var description: String {
        switch self {
        case .mysql(let config): "mysql \(config)"
        case .postgres(let config): "postgres \(config)"
        case .sqlite(let config): "sqlite \(config)"
        case .sqlserver(let config): "sqlserver \(config)"
        }
    }
}

/// `mysql:` — MySQL or MariaDB.
public struct MySQLConnectionConfig: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String
    public var database: String
    /// The replica id scimsync uses when it reads the binlog; must differ from every server
    /// and replica in the topology.
    public var serverId: UInt32?

    public init(host: String, port: Int, user: String, password: String, database: String, serverId: UInt32? = nil) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.serverId = serverId
    }

    /// `user@host:port/database`, without the password.
    public var description: String { "\(user)@\(host):\(port)/\(database)" }
}

/// `postgres:` — PostgreSQL.
public struct PostgresConnectionConfig: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String
    public var database: String
    public var schema: String

    public init(host: String, port: Int, user: String, password: String, database: String, schema: String = "public") {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.schema = schema
    }

    public var description: String { "\(user)@\(host):\(port)/\(database) schema \(schema)" }
}

/// `sqlite:` — a SQLite database file.
public struct SQLiteConnectionConfig: Sendable, Hashable, CustomStringConvertible {
    /// Absolute, or resolved against the configuration file's directory.
    public var path: String

    public init(path: String) {
        self.path = path
    }

    public var description: String { path }
}

/// `sqlserver:` — Microsoft SQL Server (TDS through FreeTDS).
public struct SQLServerConnectionConfig: Sendable, Hashable, CustomStringConvertible {
    /// TLS for the connection (`encrypt:`): `require` unless the config says otherwise.
    public enum Encryption: String, Sendable, Hashable, CaseIterable {
        /// No TLS: for test servers only.
        case off
        /// TLS when the server offers it.
        case request
        /// TLS or no connection.
        case require
    }

    public var host: String
    public var port: Int
    public var user: String
    public var password: String
    public var database: String
    /// The schema holding the layout's tables (`dbo` unless given).
    public var schema: String
    public var encryption: Encryption
    /// As a source: how often change tracking is polled, in milliseconds (`poll:`, 1 s unless given).
    public var pollMilliseconds: Int

    public init(
        host: String, port: Int = 1433, user: String, password: String, database: String, schema: String = "dbo",
        encryption: Encryption = .require, pollMilliseconds: Int = 1000
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.schema = schema
        self.encryption = encryption
        self.pollMilliseconds = pollMilliseconds
    }

    /// `user@host:port/database schema dbo`, without the password.
    public var description: String { "\(user)@\(host):\(port)/\(database) schema \(schema)" }
}

/// `reconcile:` — when the full drift-repairing pass runs and how much it may remove.
public struct ReconcileConfig: Sendable, Hashable {
    /// Seconds between passes; nil (`every: off`) runs it only on demand and at first load.
    public var everySeconds: Int?
    public var maxRemovals: RemovalLimit

    public init(everySeconds: Int?, maxRemovals: RemovalLimit) {
        self.everySeconds = everySeconds
        self.maxRemovals = maxRemovals
    }

    public static let `default` = ReconcileConfig(everySeconds: 6 * 3600, maxRemovals: .percent(10))
}

/// The most a reconciliation may delete or deactivate without `--force`.
public enum RemovalLimit: Sendable, Hashable {
    /// A share of the target's resources, e.g. `10%`.
    case percent(Double)
    /// An absolute number of resources, e.g. `500`.
    case count(Int)
}

/// `scim:` — the SCIM service provider of `scimsync serve`.
public struct SCIMServerConfig: Sendable, Hashable {
    public var host: String
    public var port: Int
    /// The bearer token clients must present; nil only when the file says `token: none`
    /// (authentication is on by default, and turning it off has to be written down).
    public var token: String?
    /// Where the SCIM endpoints live, e.g. `/scim/v2` (no trailing slash; "" for the root).
    public var basePath: String
    /// The most resources one list response holds, whatever `count` a client asks for.
    public var maxPageSize: Int
    /// The largest request body accepted, in bytes.
    public var maxBodyBytes: Int
    /// Connections to the directory's database, each serving one request at a time.
    public var connections: Int
    public var directory: Endpoint
    /// Timeouts and the connection cap of the HTTP server.
    public var limits: ServerLimits
    /// `publicURL`: the base URL clients use, for `Location` and `meta.location`.
    public var publicURL: String?
    /// `trustForwardedHeaders`: a proxy in front sets `X-Forwarded-Proto`.
    public var trustForwardedHeaders: Bool
    /// `maxOperations`: operations per PATCH.
    public var maxOperations: Int
    /// `maxMembers`: members one request may name.
    public var maxMembers: Int

    public init(
        host: String, port: Int, token: String?, basePath: String = "/scim/v2", maxPageSize: Int = 1000,
        maxBodyBytes: Int = 10 << 20, connections: Int = 8, directory: Endpoint, limits: ServerLimits = ServerLimits(),
        publicURL: String? = nil, trustForwardedHeaders: Bool = false, maxOperations: Int = 1_000, maxMembers: Int = 50_000
    ) {
        self.maxOperations = maxOperations
        self.maxMembers = maxMembers
        self.limits = limits
        self.publicURL = publicURL
        self.trustForwardedHeaders = trustForwardedHeaders
        self.host = host
        self.port = port
        self.token = token
        self.basePath = basePath
        self.maxPageSize = maxPageSize
        self.maxBodyBytes = maxBodyBytes
        self.connections = connections
        self.directory = directory
    }
}

extension SCIMServerConfig {
    /// Whether `host` is a loopback address, reachable from this machine only.
    public var listensOnLoopbackOnly: Bool {
        let host = host.lowercased()
        return host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }

    /// What `check` says about a server without authentication (`token: none`); nil when it
    /// asks for a token. Beyond loopback anyone who reaches the port can read and change the
    /// directory, so that case is worded as the danger it is.
    public var authenticationWarning: String? {
        guard token == nil else { return nil }
        if listensOnLoopbackOnly {
            return "scim.token is none: the SCIM server answers every request without authentication "
                + "(only processes on this machine can reach \(host):\(port))"
        }
        return "SCIM SERVER WITHOUT AUTHENTICATION: scim.token is none and scim.host is \(host), so anyone "
            + "who can reach port \(port) can read, create and delete users and groups; set token to "
            + "\"${SCIM_TOKEN}\" with a secret of at least 16 characters, or listen on 127.0.0.1"
    }
}
