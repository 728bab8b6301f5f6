import Config
import Directory
import Foundation
import SQLClients
import SQLServerClient

/// One open connection of any supported kind, with what `scimsync check` needs from it: the
/// table catalog. Not Sendable: it owns a C handle and lives inside one check run.
public enum DatabaseProbe {
    case mysql(MariaDBConnection, MySQLConnectionConfig)
    case postgres(PostgresConnection, PostgresConnectionConfig)
    case sqlite(SQLiteDatabase)
    case sqlserver(SQLServerConnection, SQLServerConnectionConfig)

    /// Connects, or throws an error whose `description` says what to fix (never the password).
    public static func open(_ connection: ConnectionConfig) throws -> DatabaseProbe {
        switch connection {
        case .mysql(let config):
            let handle = try MariaDBConnection(
                host: config.host, port: config.port, user: config.user, password: config.password,
                database: config.database)
            return .mysql(handle, config)
        case .postgres(let config):
            let handle = try PostgresConnection(
                host: config.host, port: config.port, user: config.user, password: config.password,
                database: config.database)
            return .postgres(handle, config)
        case .sqlite(let config):
            // Opening would create a missing file: an empty database would pass the connection
            // check and fail every table check, which hides the real mistake (a wrong path).
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: config.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                throw ProbeError.noSuchFile(config.path)
            }
            return .sqlite(try SQLiteDatabase(path: config.path))
        case .sqlserver(let config):
            let handle = try SQLServerConnection(
                host: config.host, port: config.port, user: config.user, password: config.password,
                database: config.database, connectTimeout: 5, loginTimeout: 5, queryTimeout: 30,
                encryption: SQLServerEncryption(config.encryption))
            return .sqlserver(handle, config)
        }
    }

    /// `MariaDB 10.11.6 as scimsync@127.0.0.1:3306/hr`, for the ok line.
    public var summary: String {
        switch self {
        case .mysql(let handle, let config):
            let version = handle.serverVersion.split(separator: "-").first.map(String.init) ?? handle.serverVersion
            let product = handle.serverVersion.lowercased().contains("mariadb") ? "MariaDB" : "MySQL"
            return "connected to \(product) \(version) as \(config)"
        case .postgres(let handle, let config):
            let version = handle.serverVersion
            return "connected to PostgreSQL \(version / 10000).\(version % 10000) as \(config)"
        case .sqlite(let database):
            return "opened SQLite database \(database.path)"
        case .sqlserver(let handle, let config):
            let value = (try? handle.query("SELECT @@VERSION AS v"))?.first?["v"]
            let version =
                if case .text(let text)? = value { text.split(separator: "\n").first.map(String.init) ?? text } else { "(version unknown)" }
            return "connected to SQL Server \(version) as \(config)"
        }
    }

    /// Column names of every table where the layout's tables live.
    public func columnNamesByTable() throws -> [String: [String]] {
        switch self {
        case .mysql(let handle, _): try handle.columnNamesByTable()
        case .postgres(let handle, let config): try handle.columnNamesByTable(schema: config.schema)
        case .sqlite(let database): try database.columnNamesByTable()
        case .sqlserver(let handle, let config):
            try handle.query(
                "SELECT TABLE_NAME AS t, COLUMN_NAME AS c FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = @p1 ORDER BY TABLE_NAME, ORDINAL_POSITION",
                [.text(config.schema)]
            ).reduce(into: [:]) { tables, row in
                if case .text(let table)? = row["t"], case .text(let column)? = row["c"] {
                    tables[table, default: []].append(column)
                }
            }
        }
    }

    /// Where the tables live, for messages: `database hr`, `schema portal`, `the file`.
    public var tableHome: String {
        switch self {
        case .mysql(_, let config): "database \(config.database)"
        case .postgres(_, let config): "schema \(config.schema)"
        case .sqlite: "the database"
        case .sqlserver(_, let config): "schema \(config.schema) of database \(config.database)"
        }
    }
}

extension SQLServerEncryption {
    /// The client setting for a configured `encrypt:`.
    public init(_ configured: SQLServerConnectionConfig.Encryption) {
        switch configured {
        case .off: self = .off
        case .request: self = .request
        case .require: self = .require
        }
    }
}

public enum ProbeError: Error, CustomStringConvertible {
    case noSuchFile(String)

    public var description: String {
        switch self {
        case .noSuchFile(let path):
            "no such database file \(path): check the path, or create the file with its tables first"
        }
    }
}
