/// An error reported by a PostgreSQL server or by libpq, classified by SQLSTATE (PostgreSQL
/// docs, Appendix A "PostgreSQL Error Codes") for the decisions callers make.
///
/// `description` names the SQLSTATE, what was being done and what to do about it, and never
/// includes the server's message text: that text can quote values (`Key (email)=(alice@...)
/// already exists`). The message is kept in `message` and shown by `debugDescription`
/// (`String(reflecting:)`). Passwords never reach either: libpq does not echo them.
public struct PostgresError: Error, Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// 28P01 invalid_password, 28000 invalid_authorization_specification (also: no
        /// pg_hba.conf entry for this host and user).
        case authenticationFailed
        /// 42501 insufficient_privilege.
        case permissionDenied
        /// 3D000 invalid_catalog_name: the database does not exist.
        case unknownDatabase
        /// 3F000 invalid_schema_name.
        case invalidSchema
        /// 42P01 undefined_table.
        case undefinedTable
        /// 42703 undefined_column.
        case undefinedColumn
        /// The server could not be reached or refused the connection before authentication
        /// (no SQLSTATE, class 08 or 57P03 cannot_connect_now), or connecting timed out.
        case cannotConnect(host: String, port: Int)
        /// The connection broke while in use (class 08, 57P01 admin_shutdown, or a dead socket).
        case lostConnection
        case other
    }

    public enum Operation: String, Sendable, Hashable {
        case connect, query, execute
    }

    public var kind: Kind
    /// The five-character SQLSTATE, nil when libpq reported an error without one.
    public var sqlState: String?
    /// The server's or libpq's message text. May contain personal data: not for logs.
    public var message: String
    public var operation: Operation

    /// The message of a text parameter holding NUL, refused before it is sent (SQLSTATE 22021,
    /// character_not_in_repertoire, as the server gives for one in COPY).
    public static let nulInText = "a text value holds a NUL character (U+0000), which PostgreSQL text cannot store"

    /// The message of a connection that did not complete in time (the server accepted the
    /// socket, or the network dropped it silently, but the handshake never ended).
    static func connectTimedOut(after seconds: Int) -> String { "\(connectTimeoutPrefix)\(seconds) s while connecting" }
    private static let connectTimeoutPrefix = "timed out after "

    public init(kind: Kind, sqlState: String?, message: String, operation: Operation) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
        self.operation = operation
    }

    init(sqlState: String?, message: String, operation: Operation, connectionBroken: Bool, host: String, port: Int) {
        self.init(
            kind: Self.classify(
                sqlState: sqlState, operation: operation, connectionBroken: connectionBroken, host: host, port: port
            ),
            sqlState: sqlState, message: message, operation: operation
        )
    }

    /// - Parameter connectionBroken: libpq reports the connection as bad after the error. A
    ///   class 08 error on a connection that still works (08P01 for a wrong parameter count) is
    ///   not a lost connection.
    static func classify(
        sqlState: String?, operation: Operation, connectionBroken: Bool, host: String, port: Int
    ) -> Kind {
        if operation == .connect {
            if sqlState == nil || sqlState?.hasPrefix("08") == true || sqlState == "57P03" {
                return .cannotConnect(host: host, port: port)
            }
        } else if connectionBroken {
            return .lostConnection
        }
        guard let sqlState else { return .other }
        switch sqlState {
        case "28P01", "28000": return .authenticationFailed
        case "42501": return .permissionDenied
        case "3D000": return .unknownDatabase
        case "3F000": return .invalidSchema
        case "42P01": return .undefinedTable
        case "42703": return .undefinedColumn
        case "57P01", "57P02": return .lostConnection
        default: return .other
        }
    }

    public var description: String {
        let reference = sqlState.map { " (SQLSTATE \($0))" } ?? ""
        switch kind {
        case .authenticationFailed:
            return "PostgreSQL refused the login\(reference): check the user name and password, and "
                + "that pg_hba.conf admits this user from this host"
        case .permissionDenied:
            return "the PostgreSQL user lacks a privilege\(reference) during \(operation): grant it (the "
                + "server's message, shown by String(reflecting:), names the object)"
        case .unknownDatabase:
            return "the PostgreSQL database does not exist\(reference): check the database name in the "
                + "configuration"
        case .invalidSchema:
            return "a schema the statement names does not exist\(reference) during \(operation): check the "
                + "schema in the configuration"
        case .undefinedTable:
            return "a table the statement names does not exist\(reference) during \(operation): check the "
                + "table names in the layout and the schema"
        case .undefinedColumn:
            return "a column the statement names does not exist\(reference) during \(operation): check "
                + "the column names in the layout"
        case .cannotConnect(let host, let port) where message.hasPrefix(Self.connectTimeoutPrefix):
            return "PostgreSQL at \(host):\(port) did not complete the connection in time (\(message)): the "
                + "server may be overloaded or stopped, or a firewall may drop its packets without refusing them"
        case .cannotConnect(let host, let port):
            return "cannot connect to PostgreSQL at \(host):\(port)\(reference): check that the server "
                + "runs, listens on that address and port (listen_addresses), and that no firewall blocks it"
        case .lostConnection:
            return "the connection to PostgreSQL was lost\(reference) during \(operation): reconnect and "
                + "retry; if it recurs, check the server log"
        case .other:
            return "PostgreSQL error\(reference) during \(operation)"
        }
    }

    public var debugDescription: String {
        "\(description). Message: \(message)"
    }
}
