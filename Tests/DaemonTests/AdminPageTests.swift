import AsyncHTTPClient
import Config
import Daemon
import Directory
import FeedSource
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import OffsetStore
import SQLClients
import Testing
import TestSupport

@testable import AdminPage

/// The admin page over real HTTP, as `run` serves it: a feed pipeline into SQLite (no
/// database server), a hold whose reason carries markup, one user in the target, and journal
/// entries. Logs in, reads every section, and decides the hold with and without the CSRF token.
@Suite("admin page")
struct AdminPageTests {
    static let token = "admin-token-0123456789abcdef"

    /// A configuration, its offset store and target in a temporary directory.
    struct Fixture {
        let directory: String
        let config: ScimsyncConfig
        let store: OffsetStore

        /// - Parameter others: more feed pipelines into the same target.
        init(pipeline: String = "hr", others: [String] = []) throws {
            directory = NSTemporaryDirectory() + "scimsync-admin-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try """
            { "files": [ { "name": "users.tsv", "format": "tsv" } ], "attributes": { "userName": "login" }, "required": ["login"] }
            """.write(toFile: directory + "/control.json", atomically: true, encoding: .utf8)
            let pipelines = ([pipeline] + others).map { name in
                """
                  - name: \(name)
                    source:
                      feed: { control: control.json }
                    target:
                      sqlite: { path: portal.db }
                      layout:
                        users:
                          table: portal_users
                          attributes: { id: id, userName: login, name.givenName: given_name }
                        groups:
                          table: portal_groups
                          attributes: { id: id, displayName: name }
                """
            }.joined(separator: "\n")
            try """
            offsets: { path: offsets.db }
            http: { port: 9100, token: "\(AdminPageTests.token)" }
            pipelines:
            \(pipelines)
            """.write(toFile: directory + "/scimsync.yaml", atomically: true, encoding: .utf8)
            config = try ConfigLoader.load(
                path: directory + "/scimsync.yaml", kinds: [FeedSourceConfig.configKind], environment: [:])
            let target = try SQLiteDatabase(path: directory + "/portal.db")
            try target.execute("CREATE TABLE portal_users (id TEXT PRIMARY KEY, login TEXT, given_name TEXT)")
            try target.execute("INSERT INTO portal_users VALUES ('1', 'bjensen', 'Barbara <b>')")
            try target.execute("CREATE TABLE portal_groups (id TEXT PRIMARY KEY, name TEXT)")
            try target.execute("INSERT INTO portal_groups VALUES ('g-1', 'Staff')")
            store = try OffsetStore(path: config.offsets.path)
        }

        /// Runs `body` against the admin server of this configuration with the page (and
        /// without `http.token` when `withToken` is false).
        /// The feed of each pipeline, as `run` opens them.
        func feeds() throws -> [String: FeedSite] {
            var sites: [String: FeedSite] = [:]
            for pipeline in config.pipelines {
                let settings = try #require(pipeline.source.settings(FeedSourceConfig.self))
                sites[pipeline.name] = try FeedSite(settings: settings, pipeline: pipeline.name, offsetsPath: config.offsets.path)
            }
            return sites
        }

        func serve(
            withToken: Bool = true, metrics: DaemonMetrics? = nil, loginLimit: LoginLimiter = LoginLimiter(),
            _ body: @Sendable (Client) async throws -> Void
        ) async throws {
            var http = config.http
            http.host = "127.0.0.1"
            http.port = 0
            if !withToken { http.token = nil }
            let logger = Logger(label: "scimsync-test")
            let page = AdminPage(
                config: config, token: http.token ?? "", store: store, metrics: metrics, feeds: try feeds(),
                loginLimit: loginLimit, logger: logger)
            try await withListeningServer({ onServerRunning in
                AdminServer.application(
                    http, states: PipelineStates(pipelines: config.pipelines.map(\.name)), metrics: metrics ?? DaemonMetrics(),
                    page: page, logger: logger, onServerRunning: onServerRunning)
            }) { port in
                let client = Client(port: port)
                do {
                    try await body(client)
                } catch {
                    try await client.http.shutdown()
                    throw error
                }
                try await client.http.shutdown()
            }
        }
    }

    /// An HTTP client that does not follow redirects (they are what is tested).
    struct Client: Sendable {
        let port: Int
        let http = HTTPClient(
            eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))

        struct Answer {
            var status: Int
            var headers: [String: String]
            var text: String
        }

        func send(
            _ method: HTTPMethod, _ path: String, cookie: String? = nil, bearer: String? = nil, form: String? = nil
        ) async throws -> Answer {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
            request.method = method
            if let cookie { request.headers.add(name: "Cookie", value: cookie) }
            if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
            if let form {
                request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
                request.body = .bytes(ByteBuffer(string: form))
            }
            let response = try await http.execute(request, timeout: .seconds(60))
            let body = try await response.body.collect(upTo: 4 << 20)
            var headers: [String: String] = [:]
            for header in response.headers { headers[header.name.lowercased()] = header.value }
            return Answer(status: Int(response.status.code), headers: headers, text: String(buffer: body))
        }

        /// Logs in as `name`; returns the cookie to send.
        func logIn(name: String) async throws -> String {
            let answer = try await send(.POST, "/admin/login", form: "token=\(AdminPageTests.token)&name=\(name)")
            #expect(answer.status == 303, "\(answer.text)")
            let setCookie = try #require(answer.headers["set-cookie"])
            return String(setCookie.prefix { $0 != ";" })
        }
    }

    /// The CSRF token of the first form of `html`.
    static func csrf(in html: String) throws -> String {
        let marker = "name=\"csrf\" value=\""
        let start = try #require(html.range(of: marker)).upperBound
        return String(html[start...].prefix { $0 != "\"" })
    }

    @Test func withoutCredentialsTheBrowserIsSentToTheLoginForm() async throws {
        let fixture = try Fixture()
        try await fixture.serve { client in
            let page = try await client.send(.GET, "/admin")
            #expect(page.status == 303)
            #expect(page.headers["location"] == "/admin/login")
            let wrongBearer = try await client.send(.GET, "/admin/journal", bearer: "not-the-token")
            #expect(wrongBearer.status == 303)
            let forged = try await client.send(.GET, "/admin", cookie: "scimsync_admin=djF8OTk5OTk5OTk5OXxhfGI.AAAA")
            #expect(forged.status == 303)
            let post = try await client.send(.POST, "/admin/pipelines/hr/approve", form: "csrf=x")
            #expect(post.status == 401)
            #expect(try fixture.store.hold(pipeline: "hr") == nil)
            // The open paths stay open; the JSON routes take the bearer token only.
            #expect(try await client.send(.GET, "/healthz").status == 200)
            #expect(try await client.send(.GET, "/metrics").status == 200)
            let form = try await client.send(.GET, "/admin/login")
            #expect(form.status == 200)
            #expect(form.text.contains("<label for=\"token\">Admin token"))
            #expect(form.headers["content-security-policy"]?.contains("frame-ancestors 'none'") == true)
        }
    }

    @Test func loginSetsASignedCookieThatNeverCarriesTheToken() async throws {
        let fixture = try Fixture()
        try await fixture.serve { client in
            let wrong = try await client.send(.POST, "/admin/login", form: "token=guess&name=Eve")
            #expect(wrong.status == 401)
            #expect(wrong.text.contains("That is not the admin token."))
            #expect(wrong.headers["set-cookie"] == nil)

            let right = try await client.send(.POST, "/admin/login", form: "token=\(AdminPageTests.token)&name=Ada+L")
            #expect(right.status == 303)
            #expect(right.headers["location"] == "/admin")
            let setCookie = try #require(right.headers["set-cookie"])
            #expect(setCookie.hasPrefix("scimsync_admin="))
            #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict") && setCookie.contains("Path=/admin"))
            #expect(!setCookie.contains(AdminPageTests.token))
            let cookie = String(setCookie.prefix { $0 != ";" })
            let page = try await client.send(.GET, "/admin", cookie: cookie)
            #expect(page.status == 200)
            #expect(page.text.contains("Ada L"))
            // A cookie whose signature does not match is no session.
            let tampered = String(cookie.dropLast(2)) + (cookie.hasSuffix("AA") ? "BB" : "AA")
            #expect(try await client.send(.GET, "/admin", cookie: tampered).status == 303)
            // The bearer token works without a cookie.
            let bearer = try await client.send(.GET, "/admin", bearer: AdminPageTests.token)
            #expect(bearer.status == 200)
            #expect(bearer.text.contains("<h1>Pipelines</h1>"))
        }
    }

    @Test func holdsAreDecidedWithTheSessionsCSRFTokenOnly() async throws {
        let fixture = try Fixture()
        try fixture.store.setHold(pipeline: "hr", reason: "would remove 7 of 10 users <script>alert(1)</script>")
        let pass = try fixture.store.startRun(pipeline: "hr", kind: "reconcile")
        try fixture.store.finishRun(pass, ops: ["patch": 2, "create": 1], error: nil)
        try await fixture.serve { client in
            let cookie = try await client.logIn(name: "Ada")
            let page = try await client.send(.GET, "/admin", cookie: cookie)
            #expect(page.status == 200)
            #expect(page.text.contains("<h2 id=\"name-hr\">hr</h2>"))
            #expect(page.text.contains("would remove 7 of 10 users &lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(!page.text.contains("<script>"))
            #expect(page.text.contains("Waiting for a decision."))
            #expect(page.text.contains(", 3 repairs (create 1, patch 2)</dd>"), "\(page.text)")
            #expect(page.text.contains(">Approve</button>") && page.text.contains(">Reject</button>"))
            let csrf = try Self.csrf(in: page.text)

            // Without the CSRF token, or with another session's, nothing changes.
            let missing = try await client.send(.POST, "/admin/pipelines/hr/approve", cookie: cookie, form: "")
            #expect(missing.status == 403)
            let other = try await client.logIn(name: "Mallory")
            let otherCSRF = try Self.csrf(in: try await client.send(.GET, "/admin", cookie: other).text)
            #expect(otherCSRF != csrf)
            let crossed = try await client.send(.POST, "/admin/pipelines/hr/approve", cookie: cookie, form: "csrf=\(otherCSRF)")
            #expect(crossed.status == 403)
            #expect(try fixture.store.hold(pipeline: "hr")?.approved == false)

            let approved = try await client.send(.POST, "/admin/pipelines/hr/approve", cookie: cookie, form: "csrf=\(csrf)")
            #expect(approved.status == 303)
            #expect(approved.headers["location"] == "/admin#pipeline-hr")
            #expect(try fixture.store.hold(pipeline: "hr")?.approved == true)
            let after = try await client.send(.GET, "/admin", cookie: cookie)
            #expect(after.text.contains("the next pass goes through once"))
            #expect(after.text.contains("approved by admin page (Ada)"))

            // Reject keeps the hold and withdraws the approval not yet used.
            let rejected = try await client.send(.POST, "/admin/pipelines/hr/reject", cookie: cookie, form: "csrf=\(csrf)")
            #expect(rejected.status == 303)
            let hold = try #require(try fixture.store.hold(pipeline: "hr"))
            #expect(!hold.approved)
            let decisions = try fixture.store.holdDecisions(pipeline: "hr")
            #expect(decisions.map(\.decision) == [.rejected, .approved])
            #expect(decisions.first?.by == "admin page (Ada)")
            #expect(decisions.first?.holdReason?.hasPrefix("would remove 7 of 10 users") == true)

            let unknown = try await client.send(.POST, "/admin/pipelines/nope/approve", cookie: cookie, form: "csrf=\(csrf)")
            #expect(unknown.status == 404)
        }
    }

    @Test func aPipelineNameIsSentAsOneEncodedPathSegment() async throws {
        let fixture = try Fixture(pipeline: "hr-portal.eu")
        try fixture.store.setHold(pipeline: "hr-portal.eu", reason: "would remove 3 of 4 users")
        try await fixture.serve { client in
            let cookie = try await client.logIn(name: "Ada")
            let page = try await client.send(.GET, "/admin", cookie: cookie)
            #expect(page.text.contains("action=\"/admin/pipelines/hr-portal.eu/approve\""), "\(page.text)")
            let approved = try await client.send(
                .POST, "/admin/pipelines/hr-portal.eu/approve", cookie: cookie, form: "csrf=\(try Self.csrf(in: page.text))")
            #expect(approved.status == 303)
            #expect(try fixture.store.hold(pipeline: "hr-portal.eu")?.approved == true)
        }
    }

    @Test func usersAreExplainedAndTheJournalFiltered() async throws {
        let fixture = try Fixture()
        try fixture.store.appendJournal(
            [JournalRecord(kind: .user, id: "1", action: "create", attributes: ["userName"], outcome: .applied)],
            pipeline: "hr", origin: "feed")
        try fixture.store.appendJournal(
            [JournalRecord(kind: .user, id: "u<2>", action: "create", outcome: .quarantined, reason: "refused: <bad>")],
            pipeline: "hr", origin: "feed")
        try await fixture.serve { client in
            let cookie = try await client.logIn(name: "Ada")
            let found = try await client.send(.GET, "/admin/users?pipeline=hr&by=userName&q=bjensen", cookie: cookie)
            #expect(found.status == 200, "\(found.text)")
            #expect(found.text.contains("<h2>User 1 in pipeline hr</h2>"), "\(found.text)")
            #expect(found.text.contains("Barbara &lt;b&gt;"))
            // The source is a feed that has not received bjensen: the feed's side says so.
            #expect(found.text.contains("<li>the feed has not received this userName in any applied run</li>"), "\(found.text)")
            #expect(found.text.contains("not created by scimsync"))
            #expect(found.text.contains("<td>create</td>"))
            #expect(found.text.contains("<label for=\"q\">"))

            let nobody = try await client.send(.GET, "/admin/users?pipeline=hr&by=userName&q=nobody", cookie: cookie)
            #expect(nobody.status == 404)
            #expect(nobody.text.contains("no user with userName &quot;nobody&quot;"))

            let quarantined = try await client.send(.GET, "/admin/journal?pipeline=hr&outcome=quarantined", cookie: cookie)
            #expect(quarantined.status == 200)
            #expect(quarantined.text.contains("u&lt;2&gt;") && quarantined.text.contains("refused: &lt;bad&gt;"))
            #expect(!quarantined.text.contains("<td>create</td>\n") || !quarantined.text.contains(">1</a>"))
            #expect(quarantined.text.contains("<option value=\"quarantined\" selected>"))
            let applied = try await client.send(.GET, "/admin/journal?outcome=applied", cookie: cookie)
            #expect(!applied.text.contains("u&lt;2&gt;"))
            #expect(applied.text.contains("href=\"/admin/users?pipeline=hr&amp;by=id&amp;q=1\""))
        }
    }

    @Test func withoutATokenThePageSaysWhyItIsNotServed() async throws {
        let fixture = try Fixture()
        try await fixture.serve(withToken: false) { client in
            let page = try await client.send(.GET, "/admin")
            #expect(page.status == 404)
            #expect(page.text.contains("http.token"))
            #expect(try await client.send(.GET, "/admin/login").status == 404)
            #expect(try await client.send(.POST, "/admin/login", form: "token=").status != 303)
        }
    }
}
