import Config
import Directory
import FeedSource
import Foundation
import OffsetStore
import SCIM
import SCIMClient
import SQLClients
import Testing
import TestSupport
import Targets
import scimsync

/// config/feed-to-sqlite.yaml with its sample upload (config/feed/), run into one kind of
/// target: the example's SQLite file, a PostgreSQL schema or a MariaDB database of the test's
/// own, or a scim2-server. The target starts with a user and a group the feed did not create.
final class FeedPipelineFixture: @unchecked Sendable {
    enum Kind: String, CaseIterable, Sendable {
        case sqlite, postgres, mariadb, scim
    }

    let kind: Kind
    let fixture: ExampleDirectories
    let config: ScimsyncConfig
    let pipeline: PipelineConfig
    /// The test's own view of the feed (as `scimsync feed` opens it).
    let site: FeedSite
    let peer: SCIMPeer?
    let view: FeedTargetView

    static let control = ExampleDirectories.path("config/feed/control.json")
    static let upload = ExampleDirectories.path("config/feed/upload")
    static let sampleFiles = ["contractors.json", "interns.xml", "people-ines.json", "people-omar.json", "sites.xml", "staff.tsv"]

    /// config/feed-to-sqlite.yaml's text for `kind`, polling every second.
    static func configText(_ kind: Kind, schema: String = "", database: String = "") throws -> String {
        var text = try PipelineHarness.exampleText("config/feed-to-sqlite.yaml")
            .replacingOccurrences(of: "control: feed/control.json", with: "control: \(control)")
            .replacingOccurrences(of: "poll: 5s", with: "poll: 1s")
        switch kind {
        case .sqlite:
            break
        case .postgres:
            text = text.replacingOccurrences(
                of: #"sqlite: { path: "${PORTAL_DB:-portal.db}" }"#,
                with: #"postgres: { host: "${PORTAL_PG_HOST}", port: "${PORTAL_PG_PORT}", user: "${PORTAL_PG_USER}", "#
                    + #"password: "${PORTAL_PG_PASSWORD}", database: "${PORTAL_PG_DATABASE}", schema: \#(schema) }"#)
        case .mariadb:
            text = text.replacingOccurrences(
                of: #"sqlite: { path: "${PORTAL_DB:-portal.db}" }"#,
                with: #"mysql: { host: "${HR_DB_HOST}", port: "${HR_DB_PORT}", user: "${HR_DB_USER}", "#
                    + #"password: "${HR_DB_PASSWORD}", database: \#(database) }"#)
        case .scim:
            let start = try #require(text.range(of: "    target:\n"))
            let end = try #require(text.range(of: "    onDelete: deactivate"))
            text.replaceSubrange(
                start.lowerBound..<end.lowerBound,
                with: "    target:\n      scim: { url: \"${SCIM_URL}\", token: \"${SCIM_TOKEN}\" }\n")
        }
        return text
    }

    init(_ kind: Kind) async throws {
        self.kind = kind
        fixture = try ExampleDirectories()
        var environment = fixture.environment
        var schema = ""
        var database = ""
        var peer: SCIMPeer?
        switch kind {
        case .sqlite:
            break
        case .postgres:
            schema = TestServers.uniqueName("portal")
            let connection = try TestServers.postgres()
            for statement in try ExampleDirectories.statements(in: "config/sql/postgres-target.sql") {
                try connection.execute(
                    statement.replacingOccurrences(of: "portal.", with: "\(schema).")
                        .replacingOccurrences(of: "SCHEMA IF NOT EXISTS portal", with: "SCHEMA IF NOT EXISTS \(schema)"))
            }
        case .mariadb:
            database = TestServers.uniqueName("portal")
            try TestServers.mariaDB().execute("CREATE DATABASE `\(database)` CHARACTER SET utf8mb4")
        case .scim:
            let started = try await SCIMPeer.start()
            environment["SCIM_URL"] = started.url
            environment["SCIM_TOKEN"] = started.token
            peer = started
        }
        self.peer = peer
        config = try ConfigLoader.parse(
            try Self.configText(kind, schema: schema, database: database), file: "feed-to-sqlite.yaml",
            baseDirectory: fixture.stateDirectory, kinds: configKinds, environment: environment)
        pipeline = try #require(config.pipelines.first)
        if kind == .mariadb, let endpoint = pipeline.target.sql { try SQLTarget.createTables(in: endpoint) }
        let settings = try #require(pipeline.source.settings(FeedSourceConfig.self))
        site = try FeedSite(settings: settings, pipeline: pipeline.name, offsetsPath: config.offsets.path)
        switch kind {
        case .sqlite:
            let path = fixture.sqlitePath
            view = .sql(prefix: "") { sql in try SQLiteDatabase(path: path).query(sql).map(\.values) }
        case .postgres:
            view = .sql(prefix: "\(schema).") { sql in try TestServers.postgres().query(sql).map(\.values) }
        case .mariadb:
            let url = try TestServers.mariaDBURL()
            let database = database
            view = .sql(prefix: "") { sql in
                try MariaDBConnection(host: url.host, port: url.port, user: url.user, password: url.password, database: database)
                    .query(sql).map(\.values)
            }
        case .scim:
            view = .scim(try SCIMClient(baseURL: peer!.url, token: peer!.token))
        }
    }

    func openStore() throws -> OffsetStore { try OffsetStore(path: config.offsets.path) }

    /// Uploads files from config/feed/upload, with `changes` (name → new text) made to them.
    func stage(_ changes: [String: Data] = [:], by person: String = "hr-export") throws -> FeedSite.Staged {
        let files = try Self.sampleFiles.map { name in
            FeedSite.UploadFile.bytes(name: name, try changes[name] ?? Data(contentsOf: URL(fileURLWithPath: Self.upload + "/" + name)))
        }
        return try site.stage(files: files, startedBy: person)
    }

    /// A sample file's bytes with `replacements` made, padded with `padding` (whitespace, or
    /// blank lines) back to the original size, so that the safety rule lets it through; an
    /// empty `padding` leaves the file smaller.
    static func sample(_ name: String, replacing replacements: [(String, String)], padding: String = " ") throws -> Data {
        let original = try Data(contentsOf: URL(fileURLWithPath: upload + "/" + name))
        let encoding: String.Encoding = name.hasSuffix(".tsv") ? .windowsCP1252 : .utf8
        var text = try #require(String(data: original, encoding: encoding))
        for (old, new) in replacements {
            #expect(text.contains(old), "\(name) has no \(old)")
            text = text.replacingOccurrences(of: old, with: new)
        }
        var data = try #require(text.data(using: encoding))
        let pad = try #require(padding.data(using: encoding))
        while !pad.isEmpty, data.count < original.count { data += pad }
        return data
    }

    /// Waits, within the bound every server test uses, until `condition` holds.
    func waitUntil(
        _ what: String, sourceLocation: SourceLocation = #_sourceLocation, _ condition: () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + TestBounds.serverEvent
        while (try? await condition()) != true, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
        #expect(try await condition(), "\(kind): \(what) did not happen", sourceLocation: sourceLocation)
    }

    func waitForRun(_ run: Int64, _ state: FeedRunState, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await waitUntil("run \(run) \(state.rawValue)", sourceLocation: sourceLocation) { try site.run(run)?.state == state }
    }

    /// A user and a group the feed did not create, the user a member of the group.
    func seedForeign() async throws {
        switch view {
        case .sql(let prefix, let query):
            for sql in [
                "INSERT INTO \(prefix)portal_groups (id, title) VALUES ('g-other', 'Other')",
                "INSERT INTO \(prefix)portal_users (id, login, given_name, title, enabled) VALUES ('hal', 'hal', 'Hal', 'Operator', TRUE)",
                "INSERT INTO \(prefix)portal_memberships (user_id, group_id) VALUES ('hal', 'g-other')",
            ] { _ = try query(sql) }
        case .scim(let client):
            guard case .created(let hal) = try await client.create(
                SCIMResource(["schemas": [.string(SchemaURN.user)], "userName": "hal", "title": "Operator", "active": true]),
                at: .users)
            else { throw FeedTestError("hal not created") }
            _ = try await client.create(
                SCIMResource([
                    "schemas": [.string(SchemaURN.group)], "displayName": "g-other", "members": [["value": .string(hal.id ?? "")]],
                ]), at: .groups)
        }
    }

    /// Puts a user the feed created into the group the feed does not manage, by hand.
    func addToForeignGroup(_ login: String) async throws {
        switch view {
        case .sql(let prefix, let query):
            _ = try query("INSERT INTO \(prefix)portal_memberships (user_id, group_id) VALUES ('\(login)', 'g-other')")
        case .scim(let client):
            let users = try await client.search(.users, filter: "userName eq \"\(login)\"", count: 2).resources
            let group = try #require(try await client.search(.groups, filter: "displayName eq \"g-other\"", count: 2).resources.first)
            let done = try await client.patch(
                group.id ?? "", at: .groups,
                [PatchOperation(op: .add, path: try AttributePath.parse("members"), value: [["value": .string(users.first?.id ?? "")]])])
            #expect(done)
        }
    }
}

struct FeedTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A user as the tests compare them.
struct FeedTargetUser: Sendable, Hashable {
    var title: String?
    var active: Bool
}

/// How a test reads the target, whatever its kind.
enum FeedTargetView: Sendable {
    /// SQL: the portal tables (with a schema prefix for PostgreSQL), through a query function.
    case sql(prefix: String, query: @Sendable (String) throws -> [[SQLValue]])
    case scim(SCIMClient)

    /// Users by login.
    func users() async throws -> [String: FeedTargetUser] {
        switch self {
        case .sql(let prefix, let query):
            let rows = try await offPool { try query("SELECT login, title, enabled FROM \(prefix)portal_users") }
            return Dictionary(uniqueKeysWithValues: rows.map { row in
                (row[0].text ?? "?", FeedTargetUser(title: row[1].text, active: row[2].truthy))
            })
        case .scim(let client):
            let list = try await client.search(.users, count: 500)
            return Dictionary(list.resources.map { ($0.userName ?? "?", FeedTargetUser(title: $0.attributes["title"]?.stringValue, active: $0.active ?? true)) }) { a, _ in a }
        }
    }

    /// Memberships as `login in group`, the group by id (SQL) or externalId, else displayName (SCIM).
    func memberships() async throws -> Set<String> {
        switch self {
        case .sql(let prefix, let query):
            let rows = try await offPool {
                try query(
                    "SELECT u.login, m.group_id FROM \(prefix)portal_memberships m JOIN \(prefix)portal_users u ON u.id = m.user_id")
            }
            return Set(rows.map { "\($0[0].text ?? "?") in \($0[1].text ?? "?")" })
        case .scim(let client):
            let users = try await client.search(.users, count: 500).resources
            let logins = Dictionary(users.map { ($0.id ?? "", $0.userName ?? "?") }) { a, _ in a }
            var pairs: Set<String> = []
            for group in try await client.search(.groups, count: 100).resources {
                let name = group.externalId ?? group.attributes["displayName"]?.stringValue ?? "?"
                for member in group.memberIDs { pairs.insert("\(logins[member] ?? "?") in \(name)") }
            }
            return pairs
        }
    }

    /// Group ids (SQL), or externalId else displayName (SCIM).
    func groups() async throws -> Set<String> {
        switch self {
        case .sql(let prefix, let query):
            return Set(try await offPool { try query("SELECT id FROM \(prefix)portal_groups") }.map { $0[0].text ?? "?" })
        case .scim(let client):
            return Set(try await client.search(.groups, count: 100).resources.map {
                $0.externalId ?? $0.attributes["displayName"]?.stringValue ?? "?"
            })
        }
    }
}

extension SQLValue {
    var text: String? {
        switch self {
        case .text(let text): text
        case .null: nil
        default: "\(self)"
        }
    }

    var truthy: Bool {
        switch self {
        case .bool(let value): value
        case .int(let value): value != 0
        case .uint(let value): value != 0
        case .text(let text): ["1", "t", "true"].contains(text.lowercased())
        default: false
        }
    }
}
