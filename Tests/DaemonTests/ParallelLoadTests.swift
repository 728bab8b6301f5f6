import Config
import Foundation
import Logging
import MySQLBinlog
import MySQLSource
import SQLClients
import TestSupport
import Testing
import Targets
import Connectors

@testable import Daemon

/// The first load with a second target connection applying every other batch: the target
/// ends with the source's rows (foreign keys checked at every commit by MariaDB), also when the
/// load runs again over what it loaded (a restarted load, where the two connections' upserts
/// can meet on InnoDB's locks).
@Suite struct ParallelLoadTests {
    @Test func twoConnectionsLoadTheSourceIntoMariaDB() async throws {
        let fixture = try ExampleDirectories()
        let source = try PipelineHarness.source(fixture)
        // More than two chunks in every table, so that both connections take batches of each
        // pass: a tree of 11,000 groups, 12,000 users, each in one or two groups.
        try source.execute(
            "INSERT INTO sync_groups (id, name, parent_id) SELECT seq, CONCAT('Group ', seq), "
                + "IF(seq = 100, NULL, 100 + (seq - 101) DIV 8) FROM seq_100_to_11099")
        for start in stride(from: 10_000, to: 22_000, by: 1_000) {
            let ids = start..<(start + 1_000)
            try source.execute(
                "INSERT INTO sync_users (id, username, first_name, last_name, email, is_active) VALUES "
                    + ids.map { "(\($0), 'user\($0)', 'Fïrst\($0)', 'Läst', 'u\($0)@example.com', 1)" }.joined(separator: ","))
            try source.execute(
                "INSERT INTO sync_users_groups_rel (user_id, group_id) VALUES "
                    + ids.map { "(\($0), \(100 + $0 % 11_000))" + ($0 % 3 == 0 ? ", (\($0), \(100 + $0 % 7))" : "") }
                    .joined(separator: ","))
        }
        let (config, database) = try PipelineHarness.mariaDBConfig(fixture)
        let pipeline = try #require(config.pipelines.first)
        guard case .mysql(let sourceConfig)? = pipeline.source.sql?.connection else {
            Issue.record("the example's source is not MariaDB")
            return
        }
        let target = try SQLTarget.open(pipeline.target.sql!)
        let opened = Counter()
        let open: @Sendable () throws -> SQLTarget = {
            opened.increment()
            return try SQLTarget.open(pipeline.target.sql!)
        }

        func rows(_ connection: MariaDBConnection, _ sql: String) throws -> [String] {
            try connection.query(sql).map { row in
                row.values.map { value in
                    switch value {
                    case .null: "NULL"
                    case .int(let number): String(number)
                    case .uint(let number): String(number)
                    case .text(let text): text
                    default: "\(value)"
                    }
                }.joined(separator: "|")
            }
        }
        let url = try TestServers.mariaDBURL()
        let targetConnection = try MariaDBConnection(
            host: url.host, port: url.port, user: url.user, password: url.password, database: database)
        let expected = [
            try rows(source, "SELECT CAST(id AS CHAR), username FROM sync_users ORDER BY 1"),
            try rows(source, "SELECT CAST(id AS CHAR), CAST(parent_id AS CHAR) FROM sync_groups ORDER BY 1"),
            try rows(source, "SELECT CAST(user_id AS CHAR), CAST(group_id AS CHAR) FROM sync_users_groups_rel ORDER BY 1, 2"),
        ]
        #expect(expected[0].count > 12_000 && expected[2].count > 16_000)
        func loaded() throws -> [[String]] {
            [
                try rows(targetConnection, "SELECT id, login FROM portal_users ORDER BY 1"),
                try rows(targetConnection, "SELECT id, parent FROM portal_groups ORDER BY 1"),
                try rows(targetConnection, "SELECT user_id, group_id FROM portal_memberships ORDER BY 1, 2"),
            ]
        }

        let connector = MySQLConnector(
            .init(
                host: sourceConfig.host, port: sourceConfig.port, user: sourceConfig.user, password: sourceConfig.password,
                database: sourceConfig.database, serverID: 4242, layout: pipeline.sourceLayout, onDelete: .delete),
            history: .init(load: { SchemaHistory() }, save: { _ in }), logger: Logger(label: "test"))
        func load() async throws {
            let snapshot = try await connector.openSnapshot()
            defer { try? snapshot.finish() }
            let phases = try #require(try snapshot.loadPhases(chunkSize: LoadPhase.chunkSize))
            _ = try InitialLoad.run(phases, target: target, openParallelTarget: open)
        }
        try await load()
        #expect(try loaded() == expected)
        #expect(opened.value == 1, "the second connection was opened once and used")
        // Again over the loaded rows: every batch updates rows the other connection's
        // neighbouring batches also lock.
        try await load()
        #expect(try loaded() == expected)
    }
}

/// A count shared with the load's worker thread.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
