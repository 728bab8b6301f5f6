import CLibPQ
import Directory
import Synchronization

/// Whether connections keep named prepared statements. A target shares one among the
/// connections it opens over time: once its server did not know a statement prepared on it (a
/// pooler such as PgBouncer in transaction mode gives each transaction another server session),
/// the connections after it send every statement whole too, instead of failing a batch each.
public final class PostgresStatementPreparation: Sendable {
    private let lost = Atomic<Bool>(false)

    public init() {}

    /// False once a server lost a statement prepared through this.
    public var isOn: Bool { !lost.load(ordering: .relaxed) }

    func turnOff() {
        lost.store(true, ordering: .relaxed)
    }
}

/// The named statements one connection prepared, by SQL text. They belong to the server
/// session: a new connection starts with none.
struct PostgresPreparedStatements {
    /// At most this many are kept; a text beyond them is sent whole each time.
    static let capacity = 32

    var names: [String: String] = [:]
    var made = 0

    /// The name `sql` is prepared under, or a new one to prepare it under (`isNew`: the caller
    /// prepares it and records it in `names`); nil when as many are kept as may be.
    mutating func name(for sql: String) -> (name: String, isNew: Bool)? {
        if let known = names[sql] { return (known, false) }
        guard names.count < Self.capacity else { return nil }
        made += 1
        return ("scimsync_\(made)", true)
    }
}

extension PostgresConnection {
    /// Runs `sql` as ``query(_:_:)`` does, as a statement prepared the first time its text
    /// comes and executed again each time it recurs, so the server parses and plans it once.
    ///
    /// For statements whose text recurs and whose markers the text types (`$1::text[]`): the
    /// parameters are sent as text, left to the server to type, whatever the values are.
    ///
    /// When the server does not know a statement prepared here (SQLSTATE 26000), the error is
    /// thrown, as it aborts the transaction, and the connection's ``PostgresStatementPreparation``
    /// is turned off: a retry, on this connection or a later one sharing it, sends the
    /// statement whole.
    @discardableResult
    public func queryPrepared(_ sql: String, _ parameters: [SQLValue]) throws -> [Row] {
        try readAnswersAhead()
        guard preparation.isOn else { return try query(sql, parameters) }
        guard let (name, isNew) = prepared.name(for: sql) else { return try query(sql, parameters) }
        if isNew {
            _ = try PostgresResult(
                PQprepare(handle, name, sql, Int32(parameters.count), nil), connection: self, operation: .query)
            prepared.names[sql] = name
        }
        let storage = BindStorage()
        // The types are the statement's: only the texts are sent.
        let values = try Self.bind(parameters, in: storage).values
        let result = withExtendedLifetime(storage) {
            PQexecPrepared(handle, name, Int32(parameters.count), values, nil, nil, 0)
        }
        do {
            return try PostgresResult(result, connection: self, operation: .query).rows()
        } catch let error as PostgresError where error.sqlState == "26000" {
            prepared.names = [:]
            preparation.turnOff()
            throw error
        }
    }

    /// How many statements this connection keeps prepared (for tests).
    public var preparedStatementCount: Int { prepared.names.count }
}
