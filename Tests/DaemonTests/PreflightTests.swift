import Config
import Daemon
import FeedSource
import Foundation
import SQLClients
import SourceKinds
import TestSupport
import Testing
import TargetKinds
import scimsync

/// `scimsync check`'s probes against the real servers of scripts/test.
@Suite struct PreflightTests {
    /// - Parameter absolute: whether paths in the file (a feed's control file) are read
    ///   relative to its directory, as `scimsync check` reads them.
    func run(
        _ relative: String, environment: [String: String], absolute: Bool = false, edit: (String) -> String = { $0 }
    ) async throws -> (Bool, [String]) {
        let text = edit(try String(contentsOfFile: ExampleDirectories.path(relative), encoding: .utf8))
        let config = try ConfigLoader.parse(
            text, file: relative,
            baseDirectory: absolute ? (ExampleDirectories.path(relative) as NSString).deletingLastPathComponent : ".",
            kinds: configKinds, environment: environment)
        var lines: [String] = []
        let passed = await Preflight.run(config, sources: SourceKinds.registry, targets: TargetKinds.registry) { lines.append($0.line) }
        return (passed, lines)
    }

    @Test func mariadbToSQLiteExamplePasses() async throws {
        let fixture = try ExampleDirectories()
        let (passed, lines) = try await run("config/mariadb-to-sqlite.yaml", environment: fixture.environment)
        #expect(passed, "\(lines)")
        #expect(lines.count == 6)
        #expect(lines[0].hasPrefix("ok    hr-to-portal source: connected to MariaDB 10."))
        #expect(lines[0].hasSuffix(" as scimsync@127.0.0.1:\(fixture.environment["HR_DB_PORT"]!)/\(fixture.hrDatabase)"))
        #expect(lines[1] == "ok    hr-to-portal source: tables sync_users, sync_groups, sync_users_groups_rel have every column the layout maps")
        #expect(lines[2] == "ok    hr-to-portal source: binlog on, format ROW, row image FULL, row metadata FULL; the user may read it")
        #expect(lines[3] == "ok    hr-to-portal target: opened SQLite database \(fixture.sqlitePath)")
        #expect(lines[4] == "ok    hr-to-portal target: tables portal_users, portal_groups, portal_memberships have every column the layout maps")
        #expect(lines[5].hasPrefix("ok    offset store: offsets.path "), "\(lines)")
    }

    /// An offset store `run` could not open fails the check, naming the key and the fix.
    @Test func anUnusableOffsetStoreFails() throws {
        let directory = NSTemporaryDirectory() + "offsets-check-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory + "/offsets.db", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let asDirectory = OffsetStoreCheck.run(path: directory + "/offsets.db")
        #expect(asDirectory.status == .failed)
        #expect(asDirectory.detail.contains("is not a file (a directory?): set offsets.path"))
        #expect(FileManager.default.createFile(atPath: directory + "/junk.db", contents: Data("not a database".utf8)))
        #expect(OffsetStoreCheck.run(path: directory + "/junk.db").detail.contains("is not a SQLite database"))
        #expect(OffsetStoreCheck.run(path: directory + "/missing/offsets.db").detail.contains("does not exist: create it"))
        #expect(OffsetStoreCheck.run(path: directory + "/new.db").status == .passed)
    }

    @Test func mariadbToPostgresExamplePasses() async throws {
        let fixture = try ExampleDirectories()
        let (passed, lines) = try await run("config/mariadb-to-postgres.yaml", environment: fixture.environment)
        #expect(passed, "\(lines)")
        #expect(lines.count == 6)
        #expect(lines[3].hasPrefix("ok    hr-to-portal-pg target: connected to PostgreSQL "))
        #expect(lines[3].hasSuffix("/scimsync_test schema portal"))
        #expect(lines[4] == "ok    hr-to-portal-pg target: tables portal_users, portal_groups, portal_memberships have every column the layout maps")
    }

    /// Checking a configuration leaves no state behind: the feed's directory is `run`'s to make.
    @Test func feedExampleIsCheckedWithoutMakingItsDirectory() async throws {
        let fixture = try ExampleDirectories()
        let directory = fixture.stateDirectory + "/offsets.db.feeds/hr-feed-to-portal"
        let (passed, lines) = try await run("config/feed-to-sqlite.yaml", environment: fixture.environment, absolute: true)
        #expect(passed, "\(lines)")
        #expect(
            lines.contains(
                "ok    hr-feed-to-portal source: pipelines[0].source.feed: the feed's directory \(directory) does not exist yet; `scimsync run` makes it"
            ), "\(lines)")
        #expect(!FileManager.default.fileExists(atPath: fixture.stateDirectory + "/offsets.db.feeds"))

        // Once `run` (here: the feed's site, as `run` and `feed upload` open it) made it, check reads its store.
        let config = try ConfigLoader.parse(
            try String(contentsOfFile: ExampleDirectories.path("config/feed-to-sqlite.yaml"), encoding: .utf8),
            file: "config/feed-to-sqlite.yaml",
            baseDirectory: (ExampleDirectories.path("config/feed-to-sqlite.yaml") as NSString).deletingLastPathComponent,
            kinds: configKinds, environment: fixture.environment)
        let settings = try #require(config.pipelines[0].source.settings(FeedSourceConfig.self))
        _ = try FeedSite(settings: settings, pipeline: "hr-feed-to-portal", offsetsPath: config.offsets.path)
        let (passedAgain, linesAgain) = try await run(
            "config/feed-to-sqlite.yaml", environment: fixture.environment, absolute: true)
        #expect(passedAgain, "\(linesAgain)")
        #expect(
            linesAgain.contains { $0.hasPrefix("ok    hr-feed-to-portal source: pipelines[0].source.feed: the feed store \(directory)/feed.db opens (0 run(s)") },
            "\(linesAgain)")
    }

    @Test func wrongPasswordNamesTheConnectionKey() async throws {
        let fixture = try ExampleDirectories()
        var environment = fixture.environment
        environment["HR_DB_PASSWORD"] = "not-the-password"
        let (passed, lines) = try await run("config/mariadb-to-sqlite.yaml", environment: environment)
        #expect(!passed)
        let source = lines.filter { $0.contains(" source: ") }
        #expect(source.count == 1)
        #expect(source.first?.hasPrefix("FAIL  hr-to-portal source: MariaDB refused the login (MariaDB error 1045, SQLSTATE 28000)") == true)
        #expect(source.first?.hasSuffix("(pipelines[0].source.mysql)") == true)
        #expect(!lines.joined().contains("not-the-password"))
        // The target is still checked: one run reports every problem.
        #expect(lines.filter { $0.hasPrefix("ok    hr-to-portal target: ") }.count == 2)
    }

    @Test func wrongTableAndColumnNames() async throws {
        let fixture = try ExampleDirectories()
        let (passed, lines) = try await run("config/mariadb-to-sqlite.yaml", environment: fixture.environment) {
            $0.replacingOccurrences(of: "table: portal_users", with: "table: portal_user")
                .replacingOccurrences(of: "first_name", with: "frist_name")
        }
        #expect(!passed)
        #expect(lines.contains(
            #"FAIL  hr-to-portal source: table sync_users has no column "frist_name" (did you mean "first_name"?) in database \#(fixture.hrDatabase) (pipelines[0].source.layout.users.attributes)"#))
        #expect(lines.contains(
            #"FAIL  hr-to-portal target: unknown table "portal_user" (did you mean "portal_users"?) in the database (pipelines[0].target.layout.users.table)"#))
    }

    @Test func missingSQLiteFile() async throws {
        let fixture = try ExampleDirectories()
        var environment = fixture.environment
        environment["PORTAL_DB"] = fixture.stateDirectory + "/missing.db"
        let (passed, lines) = try await run("config/mariadb-to-sqlite.yaml", environment: environment)
        #expect(!passed)
        #expect(lines.dropLast().last == "FAIL  hr-to-portal target: no such database file \(fixture.stateDirectory)/missing.db: check the path, or create the file with its tables first (pipelines[0].target.sqlite)")
        #expect(!FileManager.default.fileExists(atPath: fixture.stateDirectory + "/missing.db"), "check must not create the file")
    }

    @Test func serverIdMustDifferFromTheServers() async throws {
        let fixture = try ExampleDirectories()
        let (passed, lines) = try await run("config/mariadb-to-sqlite.yaml", environment: fixture.environment) {
            $0.replacingOccurrences(of: "serverId: 4242", with: "serverId: 1")
        }
        #expect(!passed)
        #expect(lines.contains("FAIL  hr-to-portal source: serverId 1 is the server's own server_id: choose another (pipelines[0].source.mysql.serverId)"))
    }

    @Test func unknownDatabase() async throws {
        let fixture = try ExampleDirectories()
        var environment = fixture.environment
        environment["HR_DB_NAME"] = "no_such_database"
        let (passed, lines) = try await run("config/mariadb-to-sqlite.yaml", environment: environment)
        #expect(!passed)
        #expect(lines.first?.hasPrefix("FAIL  hr-to-portal source: the MariaDB database does not exist (MariaDB error 1049") == true)
    }
}
