import Config
import Connectors
import Directory
import Logging
import SQLServerClient
import TestSupport

@testable import SQLServerSource

/// A fresh database on the test server with the seed tables (config/sql/sqlserver-source.sql)
/// and a connector reading it.
struct SourceDatabase {
    let server: SQLServerTestServer
    let connection: SQLServerConnection

    /// - Parameter on: the server to make the database on; the run's shared one by default.
    init(retentionDays: Int = 2, on other: SQLServerTestServer? = nil) throws {
        server =
            try other?.withFreshDatabase("scimsync_src", retentionDays: retentionDays)
            ?? SQLServerTestServer.freshDatabase("scimsync_src", retentionDays: retentionDays)
        connection = try server.connect()
        for statement in try SeedLayout.statements() {
            _ = try explained { try connection.execute(statement) }
        }
    }

    var config: SQLServerConnectionConfig {
        SQLServerConnectionConfig(
            host: server.host, port: server.port, user: server.user, password: server.password, database: server.database!,
            encryption: .off, pollMilliseconds: 50)
    }

    func connector(
        onDelete: DeletePolicy = .delete, echo: [UInt8]? = nil, layout: DirectoryLayout = SeedLayout.layout,
        snapshotReadTimeout: Duration = .seconds(120)
    ) -> SQLServerConnector {
        SQLServerConnector(
            .init(
                connection: config, layout: layout, onDelete: onDelete, echo: echo, reconcileEvery: .seconds(6 * 3600),
                snapshotReadTimeout: snapshotReadTimeout),
            logger: Logger(label: "test"))
    }

    /// The version a snapshot taken now streams from.
    func snapshotVersion(_ connector: SQLServerConnector) async throws -> SourcePosition {
        let snapshot = try await connector.openSnapshot()
        defer { try? snapshot.finish() }
        return snapshot.position
    }

    func run(_ sql: String, _ parameters: [SQLValue] = []) throws {
        _ = try explained { try connection.query(sql, parameters) }
    }
}

/// The operations a stream yields until `done` holds for all of them so far (or the bound ends).
func collect(
    _ stream: any ChangeSource, until done: ([ResourceOp]) -> Bool
) async throws -> (ops: [ResourceOp], positions: [SourcePosition]) {
    var ops: [ResourceOp] = []
    var positions: [SourcePosition] = []
    let deadline = ContinuousClock.now + TestBounds.serverEvent
    while !done(ops), ContinuousClock.now < deadline {
        guard let event = try await stream.next() else { break }
        if case .batch(let batch) = event {
            ops += batch.ops
            positions.append(batch.position)
        }
    }
    return (ops, positions)
}
