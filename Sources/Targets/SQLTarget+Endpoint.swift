import Config
import Directory
import SQLClients
import SQLServerClient

extension SQLTarget {
    /// Connects to the database `endpoint` names and checks its tables against its layout;
    /// with `onDelete`, also that the layout can carry out that policy (deactivate needs an
    /// `active` column). A SQL Server target tags its writes with `changeTrackingContext`
    /// (a pipeline's ``EchoContext``); nil leaves them untagged (`scimsync serve`).
    /// `bulkLoading` opens a MariaDB connection that may run the first load's `LOAD DATA
    /// LOCAL` (see ``load(_:)``). A PostgreSQL connection prepares its recurring statements
    /// while `preparation` is on (one per target, shared by its reconnections).
    public static func open(
        _ endpoint: Endpoint, onDelete: DeletePolicy? = nil, changeTrackingContext: [UInt8]? = nil,
        bulkLoading: Bool = false, preparation: PostgresStatementPreparation = PostgresStatementPreparation()
    ) throws -> SQLTarget {
        let target: SQLTarget
        switch endpoint.connection {
        case .mysql(let config):
            let connection = try MariaDBConnection(
                host: config.host, port: config.port, user: config.user, password: config.password,
                database: config.database, allowsLocalInfile: bulkLoading)
            target = try SQLTarget(mariaDB: connection, layout: endpoint.layout)
            target.statementCanceller = MariaDBStatementCanceller(
                host: config.host, port: config.port, user: config.user, password: config.password,
                connectionID: connection.connectionID)
        case .postgres(let config):
            let connection = try PostgresConnection(
                host: config.host, port: config.port, user: config.user, password: config.password,
                database: config.database, preparation: preparation)
            target = try SQLTarget(postgres: connection, schema: config.schema, layout: endpoint.layout)
            target.statementCanceller = connection.statementCanceller()
        case .sqlite(let config):
            let database = try SQLiteDatabase(path: config.path)
            target = try SQLTarget(sqlite: database, layout: endpoint.layout)
            target.statementCanceller = database.statementCanceller()
        case .sqlserver(let config):
            let connection = try openSQLServer(config)
            target = try SQLTarget(
                sqlServer: SQLServerTargetConnection(connection, changeTrackingContext: changeTrackingContext),
                schema: config.schema, layout: endpoint.layout)
            target.statementCanceller = SQLServerStatementCanceller(interrupt: connection.interrupt)
        }
        if let onDelete { try target.validate(onDelete: onDelete) }
        return target
    }

    /// The dialect of `endpoint`'s database.
    public static func dialect(of endpoint: Endpoint) -> SQLDialect {
        switch endpoint.connection {
        case .mysql: .mariaDB
        case .postgres(let config): .postgres(schema: config.schema)
        case .sqlite: .sqlite
        case .sqlserver(let config): .sqlServer(schema: config.schema)
        }
    }

    /// `scimsync init-target`: the DDL of `endpoint`'s layout in its dialect. scimsync never
    /// alters a target's schema by itself: the tables are the user's.
    public static func createTableStatements(for endpoint: Endpoint) -> [String] {
        Targets.createTableStatements(for: endpoint.layout, dialect: dialect(of: endpoint))
    }

    /// Runs ``createTableStatements(for:)`` on the target (they are `CREATE TABLE IF NOT EXISTS`,
    /// or guarded by `IF OBJECT_ID(…) IS NULL` in SQL Server).
    public static func createTables(in endpoint: Endpoint) throws {
        let statements = createTableStatements(for: endpoint)
        switch endpoint.connection {
        case .mysql(let config):
            let connection = try MariaDBConnection(
                host: config.host, port: config.port, user: config.user, password: config.password, database: config.database)
            for statement in statements { _ = try connection.execute(statement) }
        case .postgres(let config):
            let connection = try PostgresConnection(
                host: config.host, port: config.port, user: config.user, password: config.password, database: config.database)
            for statement in statements { try connection.execute(statement) }
        case .sqlite(let config):
            let database = try SQLiteDatabase(path: config.path)
            for statement in statements { try database.execute(statement) }
        case .sqlserver(let config):
            let connection = try openSQLServer(config)
            for statement in statements { _ = try connection.execute(statement) }
        }
    }

    /// A connection to a SQL Server target: TLS as configured (`encrypt: require` unless the
    /// configuration says otherwise), and a query timeout that ends a statement stuck behind
    /// another session's lock instead of holding the pipeline for ever.
    static func openSQLServer(_ config: SQLServerConnectionConfig) throws -> SQLServerConnection {
        try SQLServerConnection(
            host: config.host, port: config.port, user: config.user, password: config.password,
            database: config.database, connectTimeout: 10, loginTimeout: 10, queryTimeout: 60,
            encryption: SQLServerEncryption(config.encryption))
    }
}
