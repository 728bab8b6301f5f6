import Config
import Daemon
import Directory
import Foundation
import OffsetStore
import SQLClients
import SQLServerClient
import Targets
import TestSupport
import Testing
import scimsync

/// A pipeline end to end from MariaDB into SQL Server (the TDS test double,
/// scripts/sqlserver-peer): the first load, then changes streamed from the binlog; the
/// target's rows read back, and every write tagged with the pipeline's change tracking context.
@Suite struct SQLServerTargetPipelineTests {
    /// config/mariadb-to-sqlite.yaml with a fresh SQL Server database as the target (the same
    /// layout), its tables made by `init-target`'s DDL and tracked by change tracking; the
    /// configuration returned is the example's text after `edit` (the tables follow the example).
    static func config(
        _ fixture: ExampleDirectories, workloadRemovals: Bool = false, edit: (String) -> String = { $0 }
    ) throws
        -> (ScimsyncConfig, SQLServerTestServer)
    {
        let server = try SQLServerTestServer.freshDatabase("scimsync_pipeline")
        let database = try #require(server.database)
        let text = try PipelineHarness.exampleText("config/mariadb-to-sqlite.yaml", workloadRemovals: workloadRemovals)
            .replacingOccurrences(
                of: #"sqlite: { path: "${PORTAL_DB:-portal.db}" }"#,
                with: "sqlserver: { host: \(server.host), port: \(server.port), user: \(server.user), "
                    + "password: \"${PORTAL_SQLSERVER_PASSWORD}\", database: \(database), encrypt: off }")
        var environment = fixture.environment
        environment["PORTAL_SQLSERVER_PASSWORD"] = server.password
        func parse(_ text: String) throws -> ScimsyncConfig {
            try ConfigLoader.parse(
                text, file: "mariadb-to-sqlserver.yaml", baseDirectory: fixture.stateDirectory, kinds: configKinds,
                environment: environment)
        }
        let endpoint = try #require(try parse(text).pipelines.first?.target.sql)
        try SQLTarget.createTables(in: endpoint)
        let connection = try server.connect()
        for table in ["portal_users", "portal_groups", "portal_memberships"] {
            _ = try connection.execute("ALTER TABLE [dbo].[\(table)] ENABLE CHANGE_TRACKING")
        }
        return (try parse(edit(text)), server)
    }

    /// A test's hand-written SQL in T-SQL's spelling: bit literals instead of TRUE and FALSE.
    static func transactSQL(_ sql: String) -> String {
        sql.split(separator: " ", omittingEmptySubsequences: false).map { word in
            switch word {
            case "TRUE": "1"
            case "TRUE)": "1)"
            case "FALSE": "0"
            case "FALSE)": "0)"
            default: String(word)
            }
        }.joined(separator: " ")
    }

    /// The rows of a query as `a|b|c` lines; ["unreadable: …"] when the query fails.
    static func rows(_ server: SQLServerTestServer, _ sql: String) -> [String] {
        do {
            return try server.connect().query(sql).map { row in
                row.values.map { value in
                    switch value {
                    case .null: "NULL"
                    case .int(let number): String(number)
                    case .bool(let flag): flag ? "1" : "0"
                    case .text(let text): text
                    default: "\(value)"
                    }
                }.joined(separator: "|")
            }
        } catch {
            return ["unreadable: \(error)"]
        }
    }

    @Test func firstLoadThenStreamIntoSQLServer() async throws {
        let fixture = try ExampleDirectories()
        let (config, server) = try Self.config(fixture)
        let pipeline = try #require(config.pipelines.first)
        let store = try OffsetStore(path: config.offsets.path)
        let users = "SELECT id, login, given_name, family_name, mail, title, employee_no, enabled FROM portal_users ORDER BY id"
        let groups = "SELECT id, title, parent FROM portal_groups ORDER BY id"
        let members = "SELECT user_id, group_id FROM portal_memberships ORDER BY user_id, group_id"

        let running = PipelineHarness.start(pipeline, store: store)
        try #require(try await eventually { Self.rows(server, members).count == 4 }, "the first load")
        #expect(Self.rows(server, users) == [
            "1|bjensen|Barbara|Jensen|bjensen@example.com|Tour Guide|701984|1",
            "2|jsmith|John|Smith|jsmith@example.com|Engineer|701985|1",
            "3|mmüller|Maria|Müller|mmueller@example.com|Engineer|701986|1",
            "4|kleft|Kim|Left|kleft@example.com|NULL|701987|0",
        ])
        #expect(Self.rows(server, groups) == ["1|Acme|NULL", "2|Engineering|1", "3|Platform|2", "4|Sales|1"])
        #expect(Self.rows(server, members) == ["1|4", "2|2", "3|3", "4|3"])

        let source = try PipelineHarness.source(fixture)
        _ = try source.execute("UPDATE sync_users SET first_name = 'Babs', job_title = NULL WHERE id = 1")
        _ = try source.execute("INSERT INTO sync_users (id, username, first_name, email, is_active) VALUES (5, 'new', 'Nu', 'n@example.com', 1)")
        _ = try source.execute("INSERT INTO sync_users_groups_rel VALUES (5, 2)")
        _ = try source.execute("DELETE FROM sync_users_groups_rel WHERE user_id = 2 AND group_id = 2")
        _ = try source.execute("UPDATE sync_groups SET parent_id = 2 WHERE id = 4")
        _ = try source.execute("DELETE FROM sync_users WHERE id = 3")
        try #require(
            try await eventually { Self.rows(server, users).contains { $0.hasPrefix("3|") && $0.hasSuffix("|0") } },
            "the live changes")
        #expect(Self.rows(server, users) == [
            "1|bjensen|Babs|Jensen|bjensen@example.com|NULL|701984|1",
            "2|jsmith|John|Smith|jsmith@example.com|Engineer|701985|1",
            "3|mmüller|Maria|Müller|mmueller@example.com|Engineer|701986|0",
            "4|kleft|Kim|Left|kleft@example.com|NULL|701987|0",
            "5|new|Nu|NULL|n@example.com|NULL|NULL|1",
        ])
        #expect(Self.rows(server, groups) == ["1|Acme|NULL", "2|Engineering|1", "3|Platform|2", "4|Sales|2"])
        #expect(Self.rows(server, members) == ["1|4", "3|3", "4|3", "5|2"])
        running.cancel()
        _ = try await running.value

        // Every change the pipeline made carries its context, which a SQL Server source
        // reading this database back would skip as an echo.
        let context = EchoContext.context(of: pipeline)
        let connection = try server.connect()
        for table in ["portal_users", "portal_groups", "portal_memberships"] {
            let contexts = try connection.query(
                "SELECT c.SYS_CHANGE_CONTEXT AS ctx FROM CHANGETABLE(CHANGES [dbo].[\(table)], 0) AS c"
            ).map { $0["ctx"] ?? .null }
            #expect(!contexts.isEmpty && contexts.allSatisfy { $0 == .bytes(context) }, "\(table): \(contexts)")
        }
    }
}
