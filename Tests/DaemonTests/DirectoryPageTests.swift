import Config
import Daemon
import Foundation
import Logging
import SQLClients
import Testing
import TestSupport

@testable import AdminPage

/// `serve`'s admin page: what the SCIM server serves, and its directory's users and groups.
@Suite("admin page of serve")
struct DirectoryPageTests {
    static let token = AdminPageTests.token

    func config() throws -> (ScimsyncConfig, String) {
        let directory = NSTemporaryDirectory() + "scimsync-directory-page-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let database = try SQLiteDatabase(path: directory + "/directory.db")
        try database.execute("CREATE TABLE people (id TEXT PRIMARY KEY, login TEXT, given_name TEXT)")
        try database.execute("CREATE TABLE teams (id TEXT PRIMARY KEY, name TEXT)")
        try database.execute("INSERT INTO people VALUES ('7', 'bjensen', 'Barbara <b>')")
        try database.execute("INSERT INTO teams VALUES ('t-1', 'Staff')")
        let config = try ConfigLoader.parse(
            """
            http: { port: 9100, token: "\(Self.token)" }
            scim:
              port: 8443
              basePath: /scim/v2
              token: "scim-token-0123456789abcdef"
              sqlite: { path: \(directory)/directory.db }
              layout:
                users: { table: people, attributes: { id: id, userName: login, name.givenName: given_name } }
                groups: { table: teams, attributes: { id: id, displayName: name } }
            """, file: "scimsync.yaml", environment: [:])
        return (config, directory)
    }

    @Test func itShowsWhatIsServedAndFindsUsersAndGroups() async throws {
        let (config, _) = try config()
        let scim = try #require(config.scim)
        var http = config.http
        http.host = "127.0.0.1"
        http.port = 0
        let logger = Logger(label: "scimsync-test")
        let page = DirectoryPage(scim: scim, token: Self.token, logger: logger)
        try await withListeningServer({ onServerRunning in
            AdminServer.application(
                http, states: PipelineStates(pipelines: []), metrics: DaemonMetrics(), page: page, logger: logger,
                onServerRunning: onServerRunning)
        }) { port in
            let client = AdminPageTests.Client(port: port)
            do {
                try await check(client)
            } catch {
                try await client.http.shutdown()
                throw error
            }
            try await client.http.shutdown()
        }
    }

    func check(_ client: AdminPageTests.Client) async throws {
        do {
            #expect(try await client.send(.GET, "/admin").headers["location"] == "/admin/login")
            #expect(try await client.send(.GET, "/healthz").status == 200)
            let cookie = try await client.logIn(name: "Ada")
            let home = try await client.send(.GET, "/admin", cookie: cookie)
            #expect(home.status == 200, "\(home.text)")
            #expect(home.text.contains("<code>http://0.0.0.0:8443/scim/v2</code>") || home.text.contains(":8443/scim/v2</code>"), "\(home.text)")
            #expect(home.text.contains("<dt>Authentication</dt><dd>bearer token</dd>"))
            #expect(home.text.contains("<a href=\"/admin\" aria-current=\"page\">Directory</a>"))
            #expect(!home.text.contains("scim-token-0123456789abcdef") && !home.text.contains(Self.token))

            let user = try await client.send(.GET, "/admin?q=bjensen", cookie: cookie)
            #expect(user.text.contains("User 7 <small>(found by userName; <code>GET /scim/v2/Users/7</code>)"), "\(user.text)")
            #expect(user.text.contains("Barbara &lt;b&gt;"))
            let group = try await client.send(.GET, "/admin?q=t-1", cookie: cookie)
            #expect(group.text.contains("Group t-1 <small>(found by id; <code>GET /scim/v2/Groups/t-1</code>)"), "\(group.text)")
            let nobody = try await client.send(.GET, "/admin?q=nobody", cookie: cookie)
            #expect(nobody.text.contains("No user or group by that id or userName."))
            // Only what makes sense without pipelines: no runs, no journal.
            #expect(try await client.send(.GET, "/admin/runs", cookie: cookie).status == 404)
            let logout = try await client.send(.POST, "/admin/logout", cookie: cookie, form: "csrf=\(try AdminPageTests.csrf(in: home.text))")
            #expect(logout.status == 303)
            // The cookie a browser forgets on logout opens nothing more, wherever it was copied.
            let after = try await client.send(.GET, "/admin", cookie: cookie)
            #expect(after.status == 303 && after.headers["location"] == "/admin/login", "\(after.status)")
            let again = try await client.logIn(name: "Ada")
            #expect(try await client.send(.GET, "/admin", cookie: again).status == 200, "a new login still works")
        }
    }
}
