/// An error reported by SQL Server or by FreeTDS's db-lib, classified for the decisions callers
/// make (fix the configuration, retry, give up).
///
/// `description` names the error number, state and severity, what was being done and what to do
/// about it, and never includes the server's message text: that text can quote row values
/// (`Violation of PRIMARY KEY constraint ... The duplicate key value is (alice@example.com)`).
/// The message is kept in `message` and shown by `debugDescription` (`String(reflecting:)`) for
/// when an operator needs it. Passwords never reach either: neither SQL Server nor db-lib echoes
/// them.
public struct SQLServerError: Error, Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What went wrong, as far as the caller can act on it.
    public enum Kind: Sendable, Hashable {
        /// 18456 "Login failed for user": wrong user name or password, or the login is disabled.
        case loginFailed
        /// 4060 "Cannot open database requested by the login", 911 "Database does not exist".
        case unknownDatabase
        /// 229, 230, 262, 300: a permission is missing on an object, a column or the database.
        case permissionDenied
        /// 208 "Invalid object name".
        case invalidObject
        /// 207 "Invalid column name".
        case invalidColumn
        /// 2627 (PRIMARY KEY or UNIQUE constraint) or 2601 (unique index): the row exists.
        case duplicateKey
        /// db-lib could not reach the server or the TDS handshake failed (SYBEFCON 20002,
        /// SYBECONN 20009, SYBEUHST 20013 unknown host, SYBESOCK 20008).
        case cannotConnect(host: String, port: Int)
        /// The connection is unusable (db-lib marked it dead: a read or write failed).
        case lostConnection
        /// A wait for the server ran out (SYBETIME 20003).
        case timeout
        /// The statement was stopped on request (``SQLServerInterrupt``): an attention, which
        /// the server acknowledged; the connection goes on.
        case cancelled
        /// A value has no SQL Server form (a negative or 24-hour-plus TIME, a decimal with more
        /// than 38 digits); nothing was sent.
        case unsupportedValue
        case other
    }

    /// What scimsync was doing when the error happened.
    public enum Operation: String, Sendable, Hashable {
        case connect, query, execute, fetch
    }

    public var kind: Kind
    /// SQL Server's error number (`sys.messages.message_id`), or db-lib's own (20000–20299,
    /// sybdb.h `SYBE...`); 0 for errors raised by scimsync itself.
    public var number: Int
    /// The error state SQL Server sends with the number (which of several causes, e.g. 18456
    /// state 8 for a wrong password); 0 for db-lib's errors.
    public var state: Int
    /// SQL Server's severity (11–16 user errors, 17–19 resource or software errors, 20–25 fatal:
    /// the connection is closed); db-lib's severity (sybfront.h `EX...`) for its own errors.
    public var severity: Int
    /// The server's or db-lib's message text. May contain personal data: not for logs.
    public var message: String
    public var operation: Operation
    /// Whether the connection cannot be used any more and must be closed and opened again.
    public var connectionBroken: Bool

    public init(
        kind: Kind, number: Int, state: Int = 0, severity: Int = 0, message: String, operation: Operation,
        connectionBroken: Bool = false
    ) {
        self.kind = kind
        self.number = number
        self.state = state
        self.severity = severity
        self.message = message
        self.operation = operation
        self.connectionBroken = connectionBroken
    }

    /// Builds an error from an error number and classifies it.
    init(
        number: Int, state: Int, severity: Int, message: String, operation: Operation, connectionBroken: Bool,
        host: String, port: Int
    ) {
        var kind = Self.classify(number: number, connectionBroken: connectionBroken, host: host, port: port)
        if operation == .connect && (kind == .lostConnection || kind == .other) {
            // A connection that never opened was not lost: db-lib's other errors while opening
            // (a TLS handshake that failed, a server that closed the socket) mean it could not
            // be opened; a server's refusal with a number of its own is that refusal.
            let fromServer = number > 0 && number < 20000
            kind = fromServer ? .other : .cannotConnect(host: host, port: port)
        }
        self.init(
            kind: kind,
            number: number, state: state, severity: severity, message: message, operation: operation,
            connectionBroken: connectionBroken
        )
    }

    static func classify(number: Int, connectionBroken: Bool, host: String, port: Int) -> Kind {
        switch number {
        case 18456: return .loginFailed
        case 4060, 911: return .unknownDatabase
        case 229, 230, 262, 300: return .permissionDenied
        case 208: return .invalidObject
        case 207: return .invalidColumn
        case 2627, 2601: return .duplicateKey
        case DBLibError.cannotConnect, DBLibError.connectionRefused, DBLibError.unknownHost,
            DBLibError.socketOpen:
            return .cannotConnect(host: host, port: port)
        case DBLibError.timeout: return .timeout
        default: return connectionBroken ? .lostConnection : .other
        }
    }

    public var description: String {
        let reference: String
        if number == 0 {
            reference = ""
        } else if number >= 20000 && number < 20300 {
            reference = " (db-lib error \(number))"
        } else {
            reference = " (SQL Server error \(number), state \(state), severity \(severity))"
        }
        let broken = connectionBroken ? "; the connection is closed" : ""
        switch kind {
        case .loginFailed:
            return "SQL Server refused the login\(reference): check the user name and password, and that "
                + "the login is enabled and SQL Server authentication is on"
        case .unknownDatabase:
            return "the SQL Server database does not exist or the login may not open it\(reference): check "
                + "the database name in the configuration"
        case .permissionDenied:
            return "the SQL Server login lacks a permission\(reference) during \(operation): grant it (the "
                + "server's message, shown by String(reflecting:), names it)"
        case .invalidObject:
            return "a table the statement names does not exist\(reference) during \(operation): check the "
                + "table names in the layout and the schema"
        case .invalidColumn:
            return "a column the statement names does not exist\(reference) during \(operation): check the "
                + "column names in the layout"
        case .duplicateKey:
            return "a row with the same key exists\(reference) during \(operation)"
        case .cannotConnect(let host, let port):
            return "cannot connect to SQL Server at \(host):\(port)\(reference): check that the server runs, "
                + "listens on that address and port (TCP/IP enabled), the encryption setting, and that no "
                + "firewall blocks it"
        case .lostConnection:
            return "the connection to SQL Server was lost\(reference) during \(operation): reconnect and retry; "
                + "if it recurs, check the server's error log"
        case .timeout:
            return "SQL Server did not answer in time\(reference) during \(operation)\(broken)"
        case .cancelled:
            return "the statement was stopped on request during \(operation)"
        case .unsupportedValue:
            return "a value has no SQL Server form during \(operation): nothing was sent"
        case .other:
            return "SQL Server error\(reference) during \(operation)\(broken)"
        }
    }

    public var debugDescription: String {
        "\(description). Message: \(message)"
    }
}

/// db-lib's own error numbers this module tells apart (sybdb.h, "SYBE..." with their texts).
enum DBLibError {
    /// SYBETIME: "SQL Server connection timed out."
    static let timeout = 20003
    /// SYBEREAD, SYBEWRIT: "Read from / Write to SQL Server failed."
    static let readFailed = 20004, writeFailed = 20006
    /// SYBEUHST: "Unknown host machine name."
    static let unknownHost = 20013
    /// SYBECONN: "Unable to connect socket -- SQL Server is unavailable or does not exist."
    static let connectionRefused = 20009
    /// SYBESMSG: "General SQL Server error: Check messages from the SQL Server." It only says that
    /// server messages arrived, which the message handler has already recorded.
    static let serverMessages = 20018
    /// SYBEFCON: "SQL Server connection failed."
    static let cannotConnect = 20002
    /// SYBESOCK: "Unable to open socket"
    static let socketOpen = 20008
}
