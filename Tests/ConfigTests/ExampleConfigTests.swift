import Config
import Directory
import FeedSource
import SCIM
import SCIMSource
import SCIMTarget
import Testing

/// The kinds that decode their own blocks: a SCIM provider as a source and as a target.
private let scimKinds = [SCIMSourceConfig.configKind, SCIMTargetConfig.configKind]

/// Every file in config/ must load: they are the documentation users copy from.
@Suite struct ExampleConfigTests {
    let environment = ["HR_DB_PASSWORD": "hr-secret", "PORTAL_PG_PASSWORD": "pg-secret", "HR_DB_PORT": "3307"]

    @Test func mariadbToSQLiteLoads() throws {
        let config = try ConfigLoader.load(path: RepositoryFiles.path("config/mariadb-to-sqlite.yaml"), kinds: scimKinds, environment: environment)
        #expect(config.pipelines.count == 1)
        let pipeline = try #require(config.pipelines.first)
        #expect(pipeline.name == "hr-to-portal")
        #expect(pipeline.onDelete == .deactivate)
        #expect(pipeline.adopt == false)
        #expect(pipeline.reconcile == ReconcileConfig(everySeconds: 6 * 3600, maxRemovals: .percent(10)))
        guard case .mysql(let mysql)? = pipeline.source.sql?.connection else {
            Issue.record("source should be mysql, is \(pipeline.source.kind)")
            return
        }
        #expect(mysql == MySQLConnectionConfig(
            host: "127.0.0.1", port: 3307, user: "scimsync", password: "hr-secret", database: "hr", serverId: 4242))
        let source = try #require(pipeline.source.sql?.layout)
        #expect(source.users.table == "sync_users")
        #expect(source.users.attributes.idColumn == "id")
        #expect(source.users.attributes.entries.map(\.column) == [
            "id", "username", "first_name", "last_name", "email", "job_title", "is_active", "employee_number",
        ])
        #expect(source.groups?.parent == "parent_id")
        #expect(source.membership == MembershipTable(table: "sync_users_groups_rel", user: "user_id", group: "group_id"))
        guard case .sqlite(let sqlite) = pipeline.target.sql?.connection else {
            Issue.record("target should be sqlite, is \(pipeline.target.kind)")
            return
        }
        #expect(sqlite.path == RepositoryFiles.path("config/portal.db"))
        #expect(pipeline.target.sql?.layout.users.table == "portal_users")
        #expect(config.offsets.path == RepositoryFiles.path("config/./offsets.db"))
        #expect(config.http.port == 9100)
    }

    @Test func mariadbToPostgresLoads() throws {
        let config = try ConfigLoader.load(path: RepositoryFiles.path("config/mariadb-to-postgres.yaml"), kinds: scimKinds, environment: environment)
        let pipeline = try #require(config.pipelines.first)
        #expect(pipeline.name == "hr-to-portal-pg")
        guard case .postgres(let postgres) = pipeline.target.sql?.connection else {
            Issue.record("target should be postgres, is \(pipeline.target.kind)")
            return
        }
        #expect(postgres == PostgresConnectionConfig(
            host: "127.0.0.1", port: 5432, user: "scimsync", password: "pg-secret", database: "portal", schema: "portal"))
        #expect(pipeline.target.sql?.layout.membership?.table == "portal_memberships")
    }

    @Test func mariadbToSCIMLoads() throws {
        let config = try ConfigLoader.load(path: RepositoryFiles.path("config/mariadb-to-scim.yaml"), kinds: scimKinds, environment: environment.merging(["SCIM_TOKEN": "tok"]) { a, _ in a })
        let pipeline = try #require(config.pipelines.first)
        #expect(pipeline.name == "hr-to-scim")
        #expect(pipeline.target == .block(kind: "scim", settings: AnyKindSettings(SCIMTargetConfig(url: "http://127.0.0.1:8080", token: "tok", membersPerPatch: 100))))
        #expect(pipeline.source.sql?.layout.users.table == "sync_users")
        #expect {
            try ConfigLoader.load(path: RepositoryFiles.path("config/mariadb-to-scim.yaml"), kinds: scimKinds, environment: environment)
        } throws: { error in
            "\(error)" == RepositoryFiles.path("config/mariadb-to-scim.yaml")
                + ": pipelines[0].target.scim.token: environment variable SCIM_TOKEN is not set"
                + " (export it, or write ${SCIM_TOKEN:-default})"
        }
    }

    @Test func feedToSQLiteLoads() throws {
        let path = RepositoryFiles.path("config/feed-to-sqlite.yaml")
        let config = try ConfigLoader.load(path: path, kinds: scimKinds + [FeedSourceConfig.configKind],
            environment: ["SCIMSYNC_HTTP_TOKEN": "feed-admin-token-0123456789"])
        let pipeline = try #require(config.pipelines.first)
        #expect(pipeline.name == "hr-feed-to-portal")
        let feed = try #require(pipeline.source.settings(FeedSourceConfig.self))
        #expect(feed.controlPath == RepositoryFiles.path("config/feed/control.json"))
        #expect(feed.control.files.map(\.name) == ["staff.tsv", "contractors.json", "people-*.json", "sites.xml", "interns.xml"])
        #expect(feed.control.managedGroups.map(\.id) == ["feed-staff", "feed-sales"])
        #expect(feed.maxSizeRatio == 1.1 && feed.firstRun == .hold && feed.keepFiles == 30 && feed.pollSeconds == 5)
        #expect(feed.directory(pipeline: pipeline.name, offsetsPath: config.offsets.path) == config.offsets.path + ".feeds/hr-feed-to-portal")
        #expect(pipeline.target.sql?.layout.users.table == "portal_users")
        #expect(pipeline.reconcile == ReconcileConfig(everySeconds: 6 * 3600, maxRemovals: .percent(10)))
    }

    @Test func scimToSQLiteLoads() throws {
        let config = try ConfigLoader.load(path: RepositoryFiles.path("config/scim-to-sqlite.yaml"), kinds: scimKinds, environment: ["SCIM_TOKEN": "tok"])
        let pipeline = try #require(config.pipelines.first)
        #expect(pipeline.source == .block(kind: "scim", settings: AnyKindSettings(SCIMSourceConfig(
            url: "http://127.0.0.1:8080", token: "tok", pageSize: 100, intervalSeconds: 3600, pollSeconds: 60))))
        #expect(pipeline.target.sql?.layout.users.table == "portal_users")
    }

    @Test func examplesNeedTheirPasswords() {
        #expect {
            try ConfigLoader.load(path: RepositoryFiles.path("config/mariadb-to-postgres.yaml"), kinds: scimKinds, environment: ["HR_DB_PASSWORD": "x"])
        } throws: { error in
            "\(error)" == RepositoryFiles.path("config/mariadb-to-postgres.yaml")
                + ": pipelines[0].target.postgres.password: environment variable PORTAL_PG_PASSWORD is not set"
                + " (export it, or write ${PORTAL_PG_PASSWORD:-default})"
        }
    }

    @Test func aMissingFileIsNamed() {
        #expect {
            try ConfigLoader.load(path: "/nonexistent/scimsync.yaml", kinds: scimKinds, environment: [:])
        } throws: { error in
            "\(error)" == "/nonexistent/scimsync.yaml: cannot read the file (no such file)"
        }
    }
}
