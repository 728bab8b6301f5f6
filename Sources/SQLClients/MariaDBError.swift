import CMariaDB

/// An error reported by a MariaDB/MySQL server or by Connector/C, classified for the
/// decisions callers make (fix the configuration, retry, give up).
///
/// `description` names the error number, SQLSTATE, what was being done and what to do about it,
/// and never includes the server's message text: that text can quote row values
/// (`Duplicate entry 'alice@example.com' for key ...`). The message is kept in `message` and
/// shown by `debugDescription` (`String(reflecting:)`) for when an operator needs it.
/// Passwords never reach either: Connector/C does not echo them.
public struct MariaDBError: Error, Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What went wrong, as far as the caller can act on it.
    public enum Kind: Sendable, Hashable {
        /// ER_ACCESS_DENIED_ERROR (1045): wrong user name or password, or the user may not
        /// connect from this host.
        case accessDenied
        /// The user is known but lacks a privilege: ER_DBACCESS_DENIED_ERROR (1044),
        /// ER_TABLEACCESS_DENIED_ERROR (1142), ER_COLUMNACCESS_DENIED_ERROR (1143),
        /// ER_SPECIFIC_ACCESS_DENIED_ERROR (1227).
        case permissionDenied
        /// ER_BAD_DB_ERROR (1049).
        case unknownDatabase
        /// ER_NO_SUCH_TABLE (1146) or ER_BAD_TABLE_ERROR (1051).
        case noSuchTable
        /// ER_BAD_FIELD_ERROR (1054).
        case unknownColumn
        /// CR_CONNECTION_ERROR (2002), CR_CONN_HOST_ERROR (2003), CR_UNKNOWN_HOST (2005), and
        /// CR_SOCKET_CREATE_ERROR (2001), CR_IPSOCK_ERROR (2004): no socket could be made, as when
        /// the process has every file descriptor it may open in use. Worth retrying.
        case cannotConnect(host: String, port: Int)
        /// CR_SERVER_GONE_ERROR (2006), CR_SERVER_LOST (2013): the connection is unusable.
        case lostConnection
        /// The statement has a different number of `?` markers than values were given.
        case wrongParameterCount(expected: Int, given: Int)
        case other
    }

    /// What scimsync was doing when the error happened.
    public enum Operation: String, Sendable, Hashable {
        case connect, prepare, bind, execute, fetch, query
    }

    public var kind: Kind
    /// The server (1000–1999, 3000+) or client (2000–2999) error number; 0 for errors raised
    /// by scimsync itself.
    public var code: UInt32
    public var sqlState: String
    /// The server's or client's message text. May contain personal data: not for logs.
    public var message: String
    public var operation: Operation

    public init(kind: Kind, code: UInt32, sqlState: String, message: String, operation: Operation) {
        self.kind = kind
        self.code = code
        self.sqlState = sqlState
        self.message = message
        self.operation = operation
    }

    /// Builds an error from an error number and classifies it.
    init(code: UInt32, sqlState: String, message: String, operation: Operation, host: String, port: Int) {
        self.init(
            kind: Self.classify(code: code, host: host, port: port),
            code: code, sqlState: sqlState, message: message, operation: operation
        )
    }

    /// CR_SOCKET_CREATE_ERROR and CR_IPSOCK_ERROR: the client could not create a socket at all.
    static let noSocket: Set<UInt32> = [2001, 2004]

    static func classify(code: UInt32, host: String, port: Int) -> Kind {
        switch code {
        case 1045: .accessDenied
        case 1044, 1142, 1143, 1227: .permissionDenied
        case 1049: .unknownDatabase
        case 1051, 1146: .noSuchTable
        case 1054: .unknownColumn
        case 2001, 2002, 2003, 2004, 2005: .cannotConnect(host: host, port: port)
        case 2006, 2013: .lostConnection
        default: .other
        }
    }

    /// The error recorded on a connection handle by its last failed call.
    init(connection: UnsafeMutablePointer<MYSQL>, operation: Operation, host: String, port: Int) {
        self.init(
            code: mysql_errno(connection),
            sqlState: String(cString: mysql_sqlstate(connection)),
            message: String(cString: mysql_error(connection)),
            operation: operation, host: host, port: port
        )
    }

    /// The error recorded on a statement handle by its last failed call.
    init(statement: UnsafeMutablePointer<MYSQL_STMT>, operation: Operation, host: String, port: Int) {
        self.init(
            code: mysql_stmt_errno(statement),
            sqlState: String(cString: mysql_stmt_sqlstate(statement)),
            message: String(cString: mysql_stmt_error(statement)),
            operation: operation, host: host, port: port
        )
    }

    public var description: String {
        let reference = code == 0 ? "" : " (MariaDB error \(code), SQLSTATE \(sqlState))"
        switch kind {
        case .accessDenied:
            return "MariaDB refused the login\(reference) during \(operation): check the user name and "
                + "password, and that the user may connect from this host"
        case .permissionDenied:
            return "the MariaDB user lacks a privilege\(reference) during \(operation): grant it "
                + "(the server's message, shown by String(reflecting:), names it)"
        case .unknownDatabase:
            return "the MariaDB database does not exist\(reference): check the database name in the "
                + "configuration"
        case .noSuchTable:
            return "a table the statement names does not exist\(reference) during \(operation): check the "
                + "table names in the layout"
        case .unknownColumn:
            return "a column the statement names does not exist\(reference) during \(operation): check "
                + "the column names in the layout"
        case .cannotConnect where Self.noSocket.contains(code):
            return "cannot make a socket to reach MariaDB\(reference): the process may have reached its limit "
                + "of open files (ulimit -n, systemd's LimitNOFILE)"
        case .cannotConnect(let host, let port):
            return "cannot connect to MariaDB at \(host):\(port)\(reference): check that the server "
                + "runs, listens on that address and port, and that no firewall blocks it"
        case .lostConnection:
            return "the connection to MariaDB was lost\(reference) during \(operation): reconnect and "
                + "retry; if it recurs, check the server log, wait_timeout and max_allowed_packet"
        case .wrongParameterCount(let expected, let given):
            return "the statement has \(expected) parameter markers but \(given) values were given: "
                + "this is a bug in the caller"
        case .other:
            return "MariaDB error\(reference) during \(operation)"
        }
    }

    public var debugDescription: String {
        "\(description). Message: \(message)"
    }
}

extension MariaDBError {
    /// Whether the connection's prepared statements are gone with this error: the connection
    /// was lost (a reconnect, were one made, starts without them), or the server no longer
    /// knows a statement (ER_UNKNOWN_STMT_HANDLER, 1243), or the result's shape changed under a
    /// prepared statement (CR_NEW_STMT_METADATA, 2057).
    var invalidatesStatements: Bool {
        kind == .lostConnection || code == 1243 || code == 2057
    }
}

extension MariaDBError {
    /// The server is there but cannot take this connection or statement now: too many
    /// connections (ER_CON_COUNT_ERROR, 1040), a user's connection or resource limit (1203,
    /// 1226), shutting down (ER_SERVER_SHUTDOWN, 1053), the connection killed (1927). Retried
    /// like a lost connection, not a reason to stop.
    public var meansServerBusy: Bool {
        [1040, 1203, 1226, 1053, 1927].contains(code)
    }
}
