import Config
import SQLClients
import Targets

/// `scimsync init-target`: the DDL of a pipeline's target layout in its dialect. scimsync
/// never alters a target's schema by itself: the tables are the user's.
public enum TargetTables {
    public static func statements(for endpoint: Endpoint) -> [String] {
        createTableStatements(for: endpoint.layout, dialect: TargetFactory.dialect(of: endpoint))
    }

    /// Runs the statements on the target (they are `CREATE TABLE IF NOT EXISTS`).
    public static func create(in endpoint: Endpoint) throws {
        let statements = statements(for: endpoint)
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
        }
    }
}
