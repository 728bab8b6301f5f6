import Config
import Connectors
import Directory
import SQLClients
import Targets

extension SQLTarget: ReplicationTarget {
    public func apply(_ ops: [ResourceOp]) throws {
        let _: ApplyResult = try apply(ops)
    }

    /// What the target parked (a reference to a row it lacks) and quarantined (a row it
    /// refused) instead of failing the batch.
    public func applyReporting(_ ops: [ResourceOp]) throws -> ApplyOutcome {
        let result: ApplyResult = try apply(ops)
        return ApplyOutcome(
            parked: result.parked.map {
                ParkedOperation(
                    op: $0.op, reason: $0.description, key: $0.key, waitingFor: $0.waitingFor.kind,
                    waitingID: $0.waitingFor.id)
            },
            quarantined: result.quarantined.map {
                QuarantinedResource(kind: $0.subject.kind, id: $0.subject.id, reason: $0.description)
            })
    }

    public func resourceCount() throws -> Int {
        try count(.user, matching: nil) + (layout.groups == nil ? 0 : count(.group, matching: nil))
    }
}

/// Opens the SQL target a configuration names.
public enum TargetFactory {
    /// Connects to `endpoint` and checks its tables against its layout; with `onDelete`,
    /// also that the layout can carry out that policy (deactivate needs an `active` column).
    public static func open(_ endpoint: Endpoint, onDelete: DeletePolicy? = nil) throws -> SQLTarget {
        let target: SQLTarget
        switch endpoint.connection {
        case .mysql(let config):
            target = try SQLTarget(
                mariaDB: MariaDBConnection(
                    host: config.host, port: config.port, user: config.user, password: config.password,
                    database: config.database),
                layout: endpoint.layout)
        case .postgres(let config):
            target = try SQLTarget(
                postgres: PostgresConnection(
                    host: config.host, port: config.port, user: config.user, password: config.password,
                    database: config.database),
                schema: config.schema, layout: endpoint.layout)
        case .sqlite(let config):
            target = try SQLTarget(sqlite: SQLiteDatabase(path: config.path), layout: endpoint.layout)
        }
        if let onDelete { try target.validate(onDelete: onDelete) }
        return target
    }

    /// The dialect of `endpoint`'s database, for `init-target`.
    public static func dialect(of endpoint: Endpoint) -> SQLDialect {
        switch endpoint.connection {
        case .mysql: .mariaDB
        case .postgres(let config): .postgres(schema: config.schema)
        case .sqlite: .sqlite
        }
    }
}
