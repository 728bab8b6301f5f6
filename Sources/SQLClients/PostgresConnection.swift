#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CLibPQ
import Directory

// Every method here blocks its thread on the network. This is fine for the synchronous users
// of this module so far (`scimsync check`, tests); long-running streaming calls (PQgetResult in
// single-row mode for snapshots) will run on a dedicated thread, never on Swift's cooperative
// pool, as DESIGN.md ("Blocking C calls") requires.

/// One connection to a PostgreSQL server through libpq.
///
/// Values are always sent as separate parameters (PQexecParams), never spliced into SQL text;
/// results come back typed as `SQLValue`s according to each column's type. The session runs
/// with `TimeZone=UTC`, ISO dates and hex `bytea` output, whatever the server's defaults, so
/// that the text forms parsed here are the ones expected.
///
/// Not thread-safe: a connection is used by one thread at a time, so it is not Sendable.
public final class PostgresConnection {
    let handle: OpaquePointer
    /// The server address, for messages.
    public let host: String
    public let port: Int
    /// The statements ``queryPrepared(_:_:)`` prepared on this connection.
    var prepared = PostgresPreparedStatements()
    /// Whether ``queryPrepared(_:_:)`` prepares statements.
    let preparation: PostgresStatementPreparation
    /// What the statements sent ahead (``sendAhead(_:_:prepared:tag:)``) will be answered
    /// with, in order; read by the next call that waits for an answer.
    var answersAhead: [PostgresAnswerAhead] = []

    /// Connects and logs in.
    ///
    /// The connection parameters go to libpq as separate keyword/value pairs
    /// (PQconnectStartParams, with dbname expansion off), so no value is ever parsed as
    /// connection-string syntax.
    ///
    /// - Parameters:
    ///   - connectTimeout: seconds to wait for the whole connection and login.
    ///   - preparation: whether ``queryPrepared(_:_:)`` prepares statements, shared with the
    ///     connections opened before and after this one for the same purpose.
    /// - Throws: `PostgresError` (`.cannotConnect`, `.authenticationFailed`, `.unknownDatabase`, ...).
    public init(
        host: String, port: Int = 5432, user: String, password: String, database: String,
        connectTimeout: Int = 10, preparation: PostgresStatementPreparation = PostgresStatementPreparation()
    ) throws {
        self.host = host
        self.port = port
        self.preparation = preparation
        let parameters: [(String, String)] = [
            ("host", host),
            ("port", String(port)),
            ("user", user),
            ("password", password),
            ("dbname", database),
            ("client_encoding", "UTF8"),
            ("application_name", "scimsync"),
            ("options", "-c TimeZone=UTC -c DateStyle=ISO,YMD -c IntervalStyle=postgres "
                + "-c bytea_output=hex -c extra_float_digits=3"),
        ]
        let storage = BindStorage()
        let keywords = parameters.map { Optional(storage.cString($0.0)) } + [nil]
        let values = parameters.map { Optional(storage.cString($0.1)) } + [nil]
        guard let handle = withExtendedLifetime(storage, { PQconnectStartParams(keywords, values, 0) }) else {
            throw PostgresError(kind: .other, sqlState: nil, message: "libpq: out of memory", operation: .connect)
        }
        // Verbose messages carry the SQLSTATE of errors raised while connecting, which libpq
        // offers no other way to read (PQresultErrorField needs a result, and there is none).
        PQsetErrorVerbosity(handle, PQERRORS_VERBOSE)
        do {
            try Self.completeConnection(handle, timeout: max(connectTimeout, 1), host: host, port: port)
        } catch {
            // PQfinish also frees a connection object whose connection failed (libpq docs,
            // "PQfinish ... should be called even if the server connection attempt fails").
            PQfinish(handle)
            throw error
        }
        PQsetErrorVerbosity(handle, PQERRORS_DEFAULT)
        // libpq prints NOTICE and WARNING messages to stderr by default; scimsync logs what it
        // means to log, and notices ("drop cascades to ...") are not worth a line.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        self.handle = handle
    }

    deinit {
        PQfinish(handle)
    }

    /// Drives PQconnectPoll to the end, waiting on the socket as libpq asks (libpq docs,
    /// "Database Connection Control Functions", PQconnectStartParams), up to `timeout` seconds.
    private static func completeConnection(_ handle: OpaquePointer, timeout: Int, host: String, port: Int) throws {
        func failure(_ message: String? = nil) -> PostgresError {
            let text = message ?? String(cString: PQerrorMessage(handle))
            return PostgresError(
                sqlState: sqlState(inVerboseMessage: text), message: text, operation: .connect,
                connectionBroken: true, host: host, port: port
            )
        }
        if PQstatus(handle) == CONNECTION_BAD {
            throw failure()
        }
        let deadline = ContinuousClock.now + .seconds(timeout)
        // "Consider a status of PGRES_POLLING_WRITING at the start" (libpq docs).
        var state = PGRES_POLLING_WRITING
        while state != PGRES_POLLING_OK {
            if state == PGRES_POLLING_FAILED {
                throw failure()
            }
            if state == PGRES_POLLING_READING || state == PGRES_POLLING_WRITING {
                let ready = waitForSocket(PQsocket(handle), reading: state == PGRES_POLLING_READING, until: deadline)
                if !ready {
                    throw failure(PostgresError.connectTimedOut(after: timeout))
                }
            }
            state = PQconnectPoll(handle)
        }
    }

    /// Waits until the socket is readable or writable; false when the deadline passes first.
    private static func waitForSocket(_ socket: Int32, reading: Bool, until deadline: ContinuousClock.Instant) -> Bool {
        // No socket: let PQconnectPoll report what went wrong.
        guard socket >= 0 else { return true }
        var descriptor = pollfd(fd: socket, events: Int16(reading ? POLLIN : POLLOUT), revents: 0)
        while true {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { return false }
            let (seconds, attoseconds) = remaining.components
            let milliseconds = Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
            let count = poll(&descriptor, 1, milliseconds)
            if count > 0 || (count < 0 && errno != EINTR) {
                return true
            }
        }
    }

    /// The SQLSTATE in a verbose libpq message ("...FATAL:  28P01: password authentication
    /// failed..."): five digits or capitals after the severity and two spaces. The severity word
    /// is translated, the layout and the code are not (libpq pqBuildErrorMessage3).
    static func sqlState(inVerboseMessage message: String) -> String? {
        let bytes = Array(message.utf8)
        guard bytes.count >= 9 else { return nil }
        func isCodeCharacter(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
        }
        for start in 0...(bytes.count - 9) {
            let colon = UInt8(ascii: ":"), space = UInt8(ascii: " ")
            guard bytes[start] == colon, bytes[start + 1] == space, bytes[start + 2] == space,
                  bytes[start + 8] == colon,
                  bytes[(start + 3)...(start + 7)].allSatisfy(isCodeCharacter)
            else { continue }
            return String(decoding: bytes[(start + 3)...(start + 7)], as: UTF8.self)
        }
        return nil
    }

    /// The server's version number, e.g. 150004 for 15.4.
    public var serverVersion: Int {
        Int(PQserverVersion(handle))
    }

    /// Runs one statement with `parameters` bound to `$1`, `$2`, ... and returns its rows
    /// (empty for statements without a result set).
    ///
    /// Values are sent as text, with an explicit type only where the text alone would be
    /// read wrongly or ambiguously (`.bytes` as bytea, `.bool`, numbers, dates and times);
    /// text, JSON and bit strings take the type the statement gives their position.
    ///
    /// Columns come back by type: boolean as `.bool`; smallint, integer, bigint as `.int`;
    /// oid as `.uint`; real and double precision as `.double`; numeric as `.decimal`;
    /// bytea as `.bytes`; date, time, timestamp, timestamptz as `.date`, `.time`, `.dateTime`,
    /// `.timestamp` (UTC); json and jsonb as `.json`; bit and varbit up to 64 bits as `.bits`;
    /// everything else (text, varchar, char, name, uuid, arrays, ...) as `.text` in
    /// PostgreSQL's output form. Infinite dates and timestamps come back as `.text`.
    @discardableResult
    public func query(_ sql: String, _ parameters: [SQLValue] = []) throws -> [Row] {
        try readAnswersAhead()
        let storage = BindStorage()
        let (types, values) = try Self.bind(parameters, in: storage)
        let result = withExtendedLifetime(storage) {
            PQexecParams(handle, sql, Int32(parameters.count), types, values, nil, nil, 0)
        }
        return try PostgresResult(result, connection: self, operation: .query).rows()
    }

    /// Each parameter's type, and its text as a C string that `storage` keeps (nil for NULL).
    ///
    /// A text holding NUL is refused as PostgreSQL refuses it ("invalid byte sequence for
    /// encoding": a text value cannot hold NUL): sent as a C string, it would be cut at the
    /// NUL instead, and the rest of the value lost without a word.
    static func bind(_ parameters: [SQLValue], in storage: BindStorage) throws(PostgresError) -> (
        types: [UInt32], values: [UnsafePointer<CChar>?]
    ) {
        let encoded = parameters.map(PostgresParameter.init)
        if encoded.contains(where: { $0.text?.utf8.contains(0) == true }) {
            throw PostgresError(kind: .other, sqlState: "22021", message: PostgresError.nulInText, operation: .query)
        }
        return (encoded.map(\.type), encoded.map { parameter in parameter.text.map { storage.cString($0) } })
    }

    /// Runs SQL without parameters (DDL, several statements separated by semicolons, ...).
    /// Rows a statement returns are discarded.
    public func execute(_ sql: String) throws {
        try readAnswersAhead()
        _ = try PostgresResult(PQexec(handle, sql), connection: self, operation: .execute)
    }

    func error(_ operation: PostgresError.Operation) -> PostgresError {
        PostgresError(
            sqlState: nil, message: String(cString: PQerrorMessage(handle)), operation: operation,
            connectionBroken: PQstatus(handle) == CONNECTION_BAD, host: host, port: port
        )
    }
}

@available(*, unavailable) extension PostgresConnection: Sendable {}

extension BindStorage {
    /// A NUL-terminated copy of `text` that lives as long as the storage.
    func cString(_ text: String) -> UnsafePointer<CChar> {
        UnsafeRawPointer(copy(text.utf8)).assumingMemoryBound(to: CChar.self)
    }
}
