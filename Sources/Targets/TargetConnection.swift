import Directory
import SQLClients

/// What a ``SQLTarget`` needs from its database connection: statements with parameters, a
/// transaction, and the catalog. The three SQLClients connections conform; tests may bring
/// their own. Not Sendable, like the connections: one thread uses it at a time.
public protocol TargetConnection: AnyObject {
    /// Runs one statement with its parameters bound to the dialect's markers; returns its rows.
    @discardableResult
    func query(_ sql: String, _ parameters: [SQLValue]) throws -> [Row]
    /// Runs a statement whose text recurs (``SQLStatement/recurs``): a connection may prepare
    /// it once and execute it again. By default, as ``query(_:_:)``.
    @discardableResult
    func queryPrepared(_ sql: String, _ parameters: [SQLValue]) throws -> [Row]
    /// Whether ``sendAhead(_:_:recurs:tag:)`` sends without waiting for the answer.
    var sendsAhead: Bool { get }
    /// Sends a statement whose rows are not needed. A connection that ``sendsAhead`` does not
    /// wait for the server's answer: it reads it at its next statement that waits for one, or
    /// at COMMIT or ROLLBACK, and a failure then comes back as a `SentAheadError` carrying
    /// `tag`. Otherwise the statement runs now and its error is thrown as it is.
    func sendAhead(_ sql: String, _ parameters: [SQLValue], recurs: Bool, tag: Int) throws
    /// Starts a transaction.
    func begin() throws
    func commit() throws
    func rollback() throws
    /// Runs a statement without parameters (`SET …`, `PRAGMA …`, DDL).
    func run(_ sql: String) throws
    /// The columns of `table` (in `schema` where the database has schemas), nil when there is
    /// no such table.
    func tableColumns(_ table: String, schema: String?) throws -> [ColumnDescription]?
}

extension TargetConnection {
    @discardableResult
    public func queryPrepared(_ sql: String, _ parameters: [SQLValue]) throws -> [Row] {
        try query(sql, parameters)
    }

    public var sendsAhead: Bool { false }

    public func sendAhead(_ sql: String, _ parameters: [SQLValue], recurs: Bool, tag: Int) throws {
        _ = recurs ? try queryPrepared(sql, parameters) : try query(sql, parameters)
    }
}

extension MariaDBConnection: TargetConnection {
    public func begin() throws {
        try execute("START TRANSACTION")
    }

    public func commit() throws {
        try execute("COMMIT")
    }

    public func rollback() throws {
        try execute("ROLLBACK")
    }

    public func run(_ sql: String) throws {
        try execute(sql)
    }

    /// The table in `schema` (a MariaDB database), or in the connection's database when nil.
    public func tableColumns(_ table: String, schema: String?) throws -> [ColumnDescription]? {
        try columns(ofTable: table, database: schema)
    }
}

extension PostgresConnection: TargetConnection {
    /// In libpq's pipeline mode (``PostgresConnection/sendAhead(_:_:prepared:tag:)``).
    public var sendsAhead: Bool { true }

    public func sendAhead(_ sql: String, _ parameters: [SQLValue], recurs: Bool, tag: Int) throws {
        try sendAhead(sql, parameters, prepared: recurs, tag: tag)
    }

    public func begin() throws {
        try execute("BEGIN")
    }

    public func commit() throws {
        try commitSendingAhead()
    }

    public func rollback() throws {
        try rollbackSendingAhead()
    }

    public func run(_ sql: String) throws {
        try execute(sql)
    }

    /// The table in `schema`, `public` when nil.
    public func tableColumns(_ table: String, schema: String?) throws -> [ColumnDescription]? {
        try columns(ofTable: table, schema: schema ?? "public")
    }
}

extension SQLiteDatabase: TargetConnection {
    /// `BEGIN IMMEDIATE` takes the write lock at once: a deferred transaction that reads
    /// first and writes later can fail with SQLITE_BUSY halfway when another connection
    /// writes in between (SQLite "BEGIN TRANSACTION").
    public func begin() throws {
        try execute("BEGIN IMMEDIATE")
    }

    public func commit() throws {
        try execute("COMMIT")
    }

    public func rollback() throws {
        try execute("ROLLBACK")
    }

    public func run(_ sql: String) throws {
        try execute(sql)
    }

    /// The table in the database file (`schema` is ignored).
    public func tableColumns(_ table: String, schema: String?) throws -> [ColumnDescription]? {
        try columns(ofTable: table)
    }
}
