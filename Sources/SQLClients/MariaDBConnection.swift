import CMariaDB
import Directory

// Every method here blocks its thread on the network. This is fine for the synchronous users
// of this module so far (`scimsync check`, tests); long-running streaming calls (the binlog
// reader's mariadb_rpl_fetch, snapshot scans) will run on a dedicated thread, never on Swift's
// cooperative pool, as DESIGN.md ("Blocking C calls") requires.

/// Connector/C's global initialisation is not thread-safe and mysql_init runs it implicitly on
/// first use; doing it once through a Swift global (initialised exactly once, atomically)
/// keeps concurrent first connections from racing.
private let libraryInitialised: Bool = scimsync_mysql_library_init() == 0

/// One connection to a MariaDB or MySQL server through Connector/C (libmariadb).
///
/// Statements with values always go through prepared statements ("binary protocol"), so values
/// are never spliced into SQL text; results come back typed as `SQLValue`s. The session runs in
/// UTC (`time_zone = '+00:00'`) so TIMESTAMP values are instants in UTC, and with utf8mb4.
///
/// Not thread-safe: a connection is used by one thread at a time, so it is not Sendable.
public final class MariaDBConnection {
    let handle: UnsafeMutablePointer<MYSQL>
    private var statements: MariaDBStatementCache
    /// What a ``loadLocalData(_:data:)`` sends; nil unless opened with `allowsLocalInfile`.
    let localInfile: LocalInfileSource?
    /// The server address, for messages.
    public let host: String
    public let port: Int

    /// Connects and logs in.
    ///
    /// - Parameters:
    ///   - host: a host name or address. The connection always uses TCP, also for `localhost`
    ///     (where Connector/C would otherwise pick the Unix socket and ignore `port`).
    ///   - database: the default database, or nil for none.
    ///   - statementCacheCapacity: how many prepared statements `query` keeps for reuse, least
    ///     recently used closed first (0: none, every call prepares and closes its statement).
    ///   - allowsLocalInfile: whether ``loadLocalData(_:data:)`` may run (`LOAD DATA LOCAL`,
    ///     from memory only: the library's own handler, which reads the file the server names,
    ///     is never installed).
    ///   - connectTimeout: seconds to wait for the TCP connection and the handshake.
    ///   - readTimeout: seconds a read may wait for the server before the connection counts as
    ///     lost (CR_SERVER_LOST); nil for Connector/C's default (no limit). A binlog reader sets
    ///     it to a few heartbeat periods, so a silently dead server is noticed.
    /// - Throws: `MariaDBError` (`.cannotConnect`, `.accessDenied`, `.unknownDatabase`, ...).
    public init(
        host: String, port: Int = 3306, user: String, password: String, database: String? = nil,
        connectTimeout: Int = 10, readTimeout: Int? = nil, statementCacheCapacity: Int = 16,
        allowsLocalInfile: Bool = false
    ) throws {
        self.host = host
        self.port = port
        let localInfile = allowsLocalInfile ? LocalInfileSource() : nil
        self.localInfile = localInfile
        statements = MariaDBStatementCache(capacity: max(statementCacheCapacity, 0))
        guard libraryInitialised else {
            throw MariaDBError(
                kind: .other, code: 0, sqlState: "HY000",
                message: "mysql_library_init failed", operation: .connect
            )
        }
        guard let handle = mysql_init(nil) else {
            throw MariaDBError(
                kind: .other, code: 2008, sqlState: "HY000",
                message: "mysql_init: out of memory", operation: .connect
            )
        }
        let timeout = UInt32(clamping: max(connectTimeout, 1))
        var failed = false
        failed = failed || scimsync_mysql_set_uint_option(handle, MYSQL_OPT_CONNECT_TIMEOUT, timeout) != 0
        if let readTimeout {
            let seconds = UInt32(clamping: max(readTimeout, 1))
            failed = failed || scimsync_mysql_set_uint_option(handle, MYSQL_OPT_READ_TIMEOUT, seconds) != 0
        }
        failed = failed || scimsync_mysql_set_uint_option(handle, MYSQL_OPT_PROTOCOL, MYSQL_PROTOCOL_TCP.rawValue) != 0
        // LOAD DATA LOCAL lets a server read client files: only a first load's connection
        // allows it, with a handler that sends rows from memory and never opens a file.
        failed = failed || scimsync_mysql_set_uint_option(handle, MYSQL_OPT_LOCAL_INFILE, localInfile == nil ? 0 : 1) != 0
        if let localInfile { MariaDBConnection.installLocalInfileHandler(localInfile, on: handle) }
        failed = failed || scimsync_mysql_set_string_option(handle, MYSQL_SET_CHARSET_NAME, "utf8mb4") != 0
        // Runs after every (re)connect: TIMESTAMP columns are converted through the session
        // time zone (MariaDB docs, "TIMESTAMP"), so UTC here means UTC in `.timestamp`.
        failed = failed || scimsync_mysql_set_string_option(handle, MYSQL_INIT_COMMAND, "SET time_zone = '+00:00'") != 0
        if failed {
            let error = MariaDBError(connection: handle, operation: .connect, host: host, port: port)
            mysql_close(handle)
            throw error
        }
        if mysql_real_connect(handle, host, user, password, database, UInt32(clamping: port), nil, 0) == nil {
            let error = MariaDBError(connection: handle, operation: .connect, host: host, port: port)
            // mysql_close also frees a handle whose connect failed (Connector/C docs for
            // mysql_real_connect: "the handle ... must be released with mysql_close()").
            mysql_close(handle)
            throw error
        }
        self.handle = handle
    }

    deinit {
        // Statements first: mysql_stmt_close sends COM_STMT_CLOSE over the open connection.
        statements.removeAll()
        mysql_close(handle)
    }

    /// The server's version string, e.g. `10.11.6-MariaDB-0+deb12u1-log`.
    public var serverVersion: String {
        String(cString: mysql_get_server_info(handle))
    }

    /// Runs a prepared statement with `parameters` bound to its `?` markers and returns its
    /// rows, typed from the binary protocol (empty for statements without a result set).
    ///
    /// Integer columns come back as `.int`, or `.uint` when UNSIGNED; FLOAT/DOUBLE as `.double`;
    /// DECIMAL as `.decimal` text; strings as `.text` or, with the binary character set
    /// (BINARY, VARBINARY, BLOB), `.bytes`; BIT(n) as `.bits`; DATE, TIME, DATETIME, TIMESTAMP
    /// as `.date`, `.time`, `.dateTime`, `.timestamp`; JSON as `.json`; YEAR as `.int`;
    /// ENUM and SET as `.text`.
    ///
    /// The statement stays prepared for the next call with the same text (see
    /// ``statementCacheCapacity``): a statement run again costs one round trip, not two, and
    /// the server does not parse it again.
    @discardableResult
    public func query(_ sql: String, _ parameters: [SQLValue] = []) throws -> [Row] {
        do {
            return try prepared(sql).run(parameters)
        } catch let error as MariaDBError where error.invalidatesStatements {
            statements.removeAll()
            // Only a statement the server no longer knows is prepared again: it was not run.
            guard error.code == Self.unknownStatementHandler else { throw error }
            return try prepared(sql).run(parameters)
        } catch {
            // A statement that failed keeps whatever state the failure left (a half-read
            // result, say): close it rather than run it again.
            statements.remove(sql)
            throw error
        }
    }

    /// ER_UNKNOWN_STMT_HANDLER: the server has no statement with the handle sent.
    static let unknownStatementHandler: UInt32 = 1243

    /// How many prepared statements the connection keeps for reuse.
    public var statementCacheCapacity: Int { statements.capacity }

    /// How many prepared statements the connection keeps now (for tests).
    public var cachedStatementCount: Int { statements.count }

    private func prepared(_ sql: String) throws -> MariaDBStatement {
        if let statement = statements.statement(for: sql) { return statement }
        let statement = try MariaDBStatement(connection: self, sql: sql)
        statements.insert(statement, for: sql)
        return statement
    }

    /// Runs SQL without parameters through the text protocol (DDL, `SET`, `START TRANSACTION`,
    /// ...) and returns the number of affected rows. Rows a statement returns are discarded.
    @discardableResult
    public func execute(_ sql: String) throws -> UInt64 {
        try run(sql)
        // Rows of a statement that returned some must be read before the next command.
        if let result = mysql_store_result(handle) {
            mysql_free_result(result)
            return 0
        }
        if mysql_field_count(handle) != 0 {
            throw error(.fetch)
        }
        return mysql_affected_rows(handle)
    }

    /// Runs SQL without parameters through the text protocol and returns every value as text
    /// (nil for NULL). For statements the binary protocol cannot run or types that do not
    /// matter (SHOW ...).
    func textRows(_ sql: String) throws -> [[String?]] {
        try run(sql)
        guard let result = mysql_store_result(handle) else {
            if mysql_field_count(handle) != 0 {
                throw error(.fetch)
            }
            return []
        }
        defer { mysql_free_result(result) }
        let columnCount = Int(mysql_num_fields(result))
        var rows: [[String?]] = []
        while let row = mysql_fetch_row(result) {
            guard let lengths = mysql_fetch_lengths(result) else { break }
            rows.append((0..<columnCount).map { index in
                row[index].map { value in
                    String(decoding: UnsafeRawBufferPointer(start: value, count: Int(lengths[index])), as: UTF8.self)
                }
            })
        }
        return rows
    }

    private func run(_ sql: String) throws {
        let status = sql.withCString { text in
            mysql_real_query(handle, text, UInt(sql.utf8.count))
        }
        if status != 0 {
            throw error(.query)
        }
    }

    func error(_ operation: MariaDBError.Operation) -> MariaDBError {
        MariaDBError(connection: handle, operation: operation, host: host, port: port)
    }
}

@available(*, unavailable) extension MariaDBConnection: Sendable {}
