#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CFreeTDS
import Directory

/// One connection to SQL Server over TDS 7.4 through FreeTDS's db-lib (a DBPROCESS).
///
/// Statements with values always go to the server as `sp_executesql` remote procedure calls:
/// the SQL text and the parameter declaration list as NVARCHAR(MAX), each value as a typed RPC
/// parameter named `@p1`, `@p2`, ... (see ``query(_:_:)``). Values are never spliced into SQL
/// text. Strings cross the boundary as UTF-8 and travel as UTF-16 (NVARCHAR), so every Unicode
/// character survives, also outside the Basic Multilingual Plane.
///
/// The application name is `scimsync` (`program_name` in `sys.dm_exec_sessions`).
///
/// Every method blocks its thread until the server answers (dbopen, dbsqlok, dbresults and
/// dbnextrow wait on the socket): run them on a thread of their own (a dedicated `Thread`, or a
/// serial queue that serves nothing else), never on Swift's cooperative pool, where a blocked
/// thread stalls every task scheduled on it, and hand results to async code through a bounded
/// channel (DESIGN.md, "Blocking C calls").
///
/// Not thread-safe: a connection is used by one thread at a time, so it is not Sendable.
public final class SQLServerConnection {
    let dbproc: OpaquePointer
    /// Where db-lib's handlers record this connection's errors; dbsetuserdata points here.
    private let messages: SQLServerMessages
    /// The server address, for messages.
    public let host: String
    public let port: Int
    /// The number of rows the last statement that reports one changed (INSERT, UPDATE, DELETE,
    /// MERGE) or returned, as the server's DONE token carries it (dbcount); nil when no
    /// statement of the last call reported a count.
    public private(set) var affectedRowCount: Int?
    /// Stops this connection's running statement from another thread (its call then throws
    /// `.cancelled`, and the connection goes on); see ``SQLServerInterrupt``.
    public let interrupt = SQLServerInterrupt()

    /// Connects and logs in.
    ///
    /// - Parameters:
    ///   - host: a host name or address.
    ///   - database: the database to use, or nil for the login's default database.
    ///   - connectTimeout: seconds to wait for the TCP connection.
    ///   - loginTimeout: seconds to wait for each answer during the TLS and login exchange.
    ///     FreeTDS has one limit for both ("connect timeout", used for the socket and then as
    ///     the read timeout until login completes, src/tds/login.c), so the larger of the two
    ///     applies to each wait.
    ///   - queryTimeout: seconds to wait for each answer after login (FreeTDS's "timeout");
    ///     nil waits as long as the server takes. A call that runs out throws `.timeout` and
    ///     the statement is cancelled.
    ///   - encryption: TLS for the connection; `.require` by default, which every production
    ///     server accepts and which never falls back to plain TCP. Test servers without TLS need
    ///     `.off`. See ``SQLServerEncryption``.
    /// - Throws: `SQLServerError` (`.loginFailed` for error 18456, `.cannotConnect`,
    ///   `.unknownDatabase`, ...).
    public init(
        host: String, port: Int = 1433, user: String, password: String, database: String? = nil,
        connectTimeout: Int = 10, loginTimeout: Int = 10, queryTimeout: Int? = nil,
        encryption: SQLServerEncryption = .require
    ) throws {
        self.host = host
        self.port = port
        guard FreeTDSLibrary.initialised else {
            throw SQLServerError(kind: .other, number: 0, message: "dbinit failed", operation: .connect)
        }
        let section = try FreeTDSLibrary.section(
            for: FreeTDSServerSection(
                host: host, port: port, encryption: encryption, connectTimeout: max(connectTimeout, loginTimeout, 1),
                queryTimeout: queryTimeout.map { max($0, 1) } ?? 0
            )
        )
        let login = try SQLServerLogin(user: user, password: password, database: database)
        let messages = SQLServerMessages()
        // The handlers see a DBPROCESS without user data while dbopen runs: point them here.
        let key = FreeTDSLibrary.openingCollectorKey
        messages.isOpening = true
        pthread_setspecific(key, Unmanaged.passUnretained(messages).toOpaque())
        let opened = withExtendedLifetime(login) { scimsync_dbopen(login.handle, section) }
        pthread_setspecific(key, nil)
        messages.isOpening = false
        guard let dbproc = opened else {
            let entry = messages.primary
            throw SQLServerError(
                number: entry?.number ?? 0, state: entry?.state ?? 0, severity: entry?.severity ?? 0,
                message: entry?.message ?? "dbopen failed", operation: .connect, connectionBroken: true,
                host: host, port: port
            )
        }
        self.dbproc = dbproc
        self.messages = messages
        messages.interrupt = interrupt
        dbsetuserdata(dbproc, messages.userData)
        dbsetinterrupt(dbproc, interruptCheck, interruptHandler)
    }

    deinit {
        // dbclose sends nothing the server must answer; the handlers may still run, and find
        // `messages`, which outlives this body.
        dbclose(dbproc)
    }

    /// Whether db-lib considers the connection unusable (a read or write failed, or the server
    /// closed it after a fatal error).
    public var isBroken: Bool {
        dbdead(dbproc) != 0
    }

    /// Runs one batch and returns the rows of its last result set that has columns (empty when
    /// none has, e.g. for an INSERT). Result sets before it are read and dropped.
    ///
    /// With `parameters`, the batch runs as `sp_executesql` with `@p1`, `@p2`, ... bound to the
    /// values in order, declared from the values' types: `.int` bigint, `.bool` bit, `.text`
    /// and `.json` nvarchar(max), `.bytes` varbinary(max), `.double` float, `.decimal`
    /// decimal(p,s) from its digits, `.uint` bigint or decimal(20,0), `.dateTime` and
    /// `.timestamp` (UTC) datetime2(7), `.date` datetime2(7) at midnight and `.time`
    /// datetime2(7) on 1900-01-01 (SQL Server converts both to DATE and TIME columns), `.bits`
    /// bigint, `.null` nvarchar(max). SQL Server converts nvarchar to every column type
    /// implicitly but BINARY, VARBINARY and IMAGE (error 257, "Implicit conversion from data
    /// type nvarchar(max) to varbinary(max) is not allowed"), also for NULL: SQL for a binary
    /// column that may receive `.null` names `CONVERT(varbinary(max), @pN)`, which leaves
    /// `.bytes` values as they are. An empty string or byte string is set inside the batch
    /// from a constant (`SET @p1 = N'';`), since db-lib sends a zero-length value as NULL.
    /// Without parameters the SQL runs as a plain batch.
    ///
    /// Columns come back by type: TINYINT, SMALLINT, INT, BIGINT as `.int`; BIT as `.bool`;
    /// CHAR, VARCHAR, NCHAR, NVARCHAR, TEXT, NTEXT as `.text`; BINARY, VARBINARY, IMAGE as
    /// `.bytes`; DECIMAL, NUMERIC, MONEY as `.decimal` text; FLOAT, REAL as `.double`;
    /// DATETIME, SMALLDATETIME, DATETIME2 as `.dateTime` (DATETIME2's seventh fractional digit
    /// is dropped: `SQLDateTime` keeps microseconds); DATE as `.date`; TIME as `.time`;
    /// UNIQUEIDENTIFIER as `.text` in lowercase canonical form; NULL as `.null`; other types
    /// (DATETIMEOFFSET, SQL_VARIANT, XML) as db-lib's text for them.
    ///
    /// - Throws: `SQLServerError` for the first error the server reported in the batch. What is
    ///   left of the batch is cancelled (an attention), so the connection is ready for the next
    ///   call unless the error says it is broken (`connectionBroken`, ``isBroken``). A value
    ///   SQL Server has no type for throws `.unsupportedValue` before anything is sent.
    @discardableResult
    public func query(_ sql: String, _ parameters: [SQLValue] = []) throws -> [Row] {
        let encoded = try parameters.map(SQLServerParameter.init)
        messages.statementStarts()
        affectedRowCount = nil
        if encoded.isEmpty {
            try send(sql, operation: .query)
        } else {
            try sendRPC(SQLServerBatch(sql: sql, parameters: encoded), encoded)
        }
        return try readResults(operation: .query)
    }

    /// Runs SQL without parameters (DDL, SET, several statements) as a plain batch and returns
    /// the row count of its last statement that reports one (0 when none does). Rows a
    /// statement returns are read and dropped.
    @discardableResult
    public func execute(_ sql: String) throws -> Int {
        messages.statementStarts()
        affectedRowCount = nil
        try send(sql, operation: .execute)
        _ = try readResults(operation: .execute)
        return affectedRowCount ?? 0
    }

    /// Starts a transaction (BEGIN TRANSACTION): later statements are undone by ``rollback()``.
    public func begin() throws {
        try execute("BEGIN TRANSACTION")
    }

    /// Commits the transaction ``begin()`` started.
    public func commit() throws {
        try execute("COMMIT TRANSACTION")
    }

    /// Undoes the transaction ``begin()`` started.
    public func rollback() throws {
        try execute("ROLLBACK TRANSACTION")
    }

    private func send(_ sql: String, operation: SQLServerError.Operation) throws {
        guard dbcmd(dbproc, sql) == SUCCEED, dbsqlexec(dbproc) == SUCCEED else {
            throw failure(operation)
        }
    }

    /// dbrpcinit/dbrpcparam/dbrpcsend, then dbsqlok for the server's first answer. db-lib keeps
    /// the value pointers until dbrpcsend copies them (src/dblib/rpc.c, param_info_alloc), so
    /// the buffers live until then.
    private func sendRPC(_ batch: SQLServerBatch, _ parameters: [SQLServerParameter]) throws {
        let buffers = RPCBuffers()
        var succeeded = dbrpcinit(dbproc, "sp_executesql", 0) == SUCCEED
        succeeded = succeeded && addParameter("@stmt", .text(Array(batch.statement.utf8)), buffers)
        succeeded = succeeded && addParameter("@params", .text(Array(batch.declarations.utf8)), buffers)
        for (name, parameter) in zip(batch.names, parameters) where succeeded {
            succeeded = addParameter(name, parameter.wire, buffers)
        }
        guard succeeded else {
            _ = scimsync_dbrpcreset(dbproc)
            throw failure(.query)
        }
        guard withExtendedLifetime(buffers, { dbrpcsend(dbproc) == SUCCEED }), dbsqlok(dbproc) == SUCCEED else {
            throw failure(.query)
        }
    }

    private func addParameter(_ name: String, _ wire: SQLServerParameter.Wire, _ buffers: RPCBuffers) -> Bool {
        let (type, bytes): (Int, [UInt8]?)
        switch wire {
        case .null: (type, bytes) = (SYBNTEXT, nil)
        case .bit(let flag): (type, bytes) = (SYBBIT, [flag ? 1 : 0])
        case .bigint(let number): (type, bytes) = (SYBINT8, withUnsafeBytes(of: number) { Array($0) })
        case .float(let number): (type, bytes) = (SYBFLT8, withUnsafeBytes(of: number) { Array($0) })
        case .decimal(let decimal): (type, bytes) = (SYBDECIMAL, decimal)
        case .text(let text): (type, bytes) = (SYBNTEXT, text)
        case .bytes(let data): (type, bytes) = (SYBIMAGE, data)
        case .dateTime(let days, let ticks): (type, bytes) = (SYBMSDATETIME2, Self.dateTimeAll(days: days, ticks: ticks))
        }
        // A data length of 0 is a NULL ("value parameter ... can be NULL, only if the datalen
        // parameter is 0", src/dblib/rpc.c); maxlen -1 for input parameters.
        let value = bytes.flatMap { $0.isEmpty ? nil : buffers.copy($0) }
        let length = DBINT(value == nil ? 0 : bytes!.count)
        return dbrpcparam(dbproc, name, 0, Int32(type), -1, length, value) == SUCCEED
    }

    /// A DBDATETIMEALL (sybdb.h) for a DATETIME2 parameter: 7-digit time precision, which
    /// FreeTDS sends as the scale ("tds_put_byte(tds, 7)", src/tds/data.c,
    /// tds_msdatetime_put_info).
    private static func dateTimeAll(days: Int32, ticks: UInt64) -> [UInt8] {
        var value = DBDATETIMEALL()
        value.time = ticks
        value.date = days
        value.offset = 0
        value.time_prec = 7
        value.has_time = 1
        value.has_date = 1
        value.has_offset = 0
        return withUnsafeBytes(of: value) { Array($0) }
    }

    /// Reads every result of the batch; returns the rows of the last result set with columns.
    /// On failure the rest of the batch is cancelled, so the connection is ready again.
    private func readResults(operation: SQLServerError.Operation) throws -> [Row] {
        var rows: [Row] = []
        while true {
            let status = dbresults(dbproc)
            if status == NO_MORE_RESULTS { break }
            if status != SUCCEED {
                // The error is recorded; what is left of the batch is cancelled (in `failure`)
                // rather than read, so a dbresults that keeps failing cannot hold the loop.
                throw failure(operation)
            }
            let columnCount = dbnumcols(dbproc)
            if columnCount > 0 {
                rows = try readRows(columnCount: columnCount, operation: operation)
            }
            if dbiscount(dbproc) != 0 {
                affectedRowCount = Int(dbcount(dbproc))
            }
        }
        if messages.primary != nil || isBroken {
            throw failure(operation)
        }
        return rows
    }

    private func readRows(columnCount: Int32, operation: SQLServerError.Operation) throws -> [Row] {
        let names = (1...columnCount).map { column in dbcolname(dbproc, column).map { String(cString: $0) } ?? "" }
        var rows: [Row] = []
        while true {
            let status = dbnextrow(dbproc)
            if status == NO_MORE_ROWS { break }
            if status == FAIL {
                if isBroken { throw failure(.fetch) }
                break
            }
            // REG_ROW; COMPUTE rows (their compute id) are not used by scimsync and skipped.
            guard status == REG_ROW else { continue }
            let values = (1...columnCount).map { SQLServerColumnValue.value(dbproc: dbproc, column: $0) }
            rows.append(Row(columns: names, values: values))
        }
        return rows
    }

    /// The error to throw after a failed call: the first the handlers recorded. Whatever is left
    /// of the batch is cancelled so the connection can run the next one.
    private func failure(_ operation: SQLServerError.Operation) -> SQLServerError {
        let broken = isBroken
        if !broken {
            dbcancel(dbproc)
        }
        let entry = messages.primary
        let interrupted = messages.interrupted
        messages.reset()
        var error = SQLServerError(
            number: entry?.number ?? 0, state: entry?.state ?? 0, severity: entry?.severity ?? 0,
            message: entry?.message ?? "db-lib reported a failure without a message", operation: operation,
            connectionBroken: broken, host: host, port: port
        )
        // The interrupt reaches db-lib as a timeout (SQLServerInterrupt); a server error of the
        // statement, or a lost connection, stays what it is.
        if interrupted, error.kind == .timeout, !broken {
            error.kind = .cancelled
        }
        return error
    }
}

@available(*, unavailable) extension SQLServerConnection: Sendable {}
