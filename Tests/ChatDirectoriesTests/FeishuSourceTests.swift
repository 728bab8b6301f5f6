import ChatDirectories
import Config
import Daemon
import Directory
import Foundation
import Logging
import OffsetStore
import Reconcile
import SCIM
import SourceKinds
import TargetKinds
import Synchronization
import Testing
import TestSupport

/// The `feishu` source against scripts/feishu-sim: a full read of a five-level tree into the
/// SQLite example tables (one reconciliation pass, as `scimsync reconcile` and the daemon run
/// it), a token expired in the middle of a pass, rate-limit answers, and a second read
/// repairing renames, moves, departures and deletions.
@Suite struct FeishuSourceTests {
    static let expectedGroups = [
        "eng|Engineering|∅", "eng-plat|Platform|eng", "eng-plat-db|Databases|eng-plat",
        "eng-plat-db-ops|Operations|eng-plat-db", "eng-plat-db-ops-oncall|On call|eng-plat-db-ops", "hr|People|∅",
        "sales|销售部|∅", "sales-east|East \"Region\"|sales",
    ]

    func reconcile(_ pipeline: PipelineConfig, _ store: OffsetStore) async throws -> ReconcileOutcome {
        try await Reconciliation(pipeline: pipeline, store: store).runStandalone(
            sources: SourceKinds.registry, targets: TargetKinds.registry, options: ReconcileOptions())
    }

    /// Everything the fixture holds is in the target, as the example maps it.
    func expectFullDirectory(_ fixture: FeishuDirectoryFixture) throws {
        #expect(try fixture.rows("SELECT id, title, COALESCE(parent, '∅') FROM portal_groups ORDER BY id") == Self.expectedGroups)
        #expect(fixture.count("portal_users") == FeishuDirectoryFixture.users.count)
        #expect(try fixture.rows("SELECT login, given_name, mail, title, enabled FROM portal_users WHERE id = 'u03'") == [
            "u03@example.com|李雷 \"Lei\" O'Brien|u03@example.com|Engineer|1"
        ])
        #expect(try fixture.rows("SELECT enabled FROM portal_users WHERE id = 'u05'") == ["0"])
        #expect(try fixture.rows("SELECT user_id || '|' || group_id FROM portal_memberships ORDER BY 1")
            == FeishuDirectoryFixture.expectedMemberships(FeishuDirectoryFixture.users))
    }

    @Test func aFullReadOfAFiveLevelTreeFillsTheTarget() async throws {
        let sim = try await FeishuSim.start()
        try await sim.load(FeishuDirectoryFixture.neutral)
        let fixture = try FeishuDirectoryFixture()
        let (pipeline, store) = try fixture.pipeline(sim)
        guard case .repaired(let report) = try await reconcile(pipeline, store) else {
            Issue.record("the first read should load the target")
            return
        }
        #expect(report.repairs[.createUser] == FeishuDirectoryFixture.users.count, "\(report.repairs)")
        try expectFullDirectory(fixture)

        let counts = try await sim.counts()
        // Users are listed per department (the root and eight departments, pages of two);
        // never fetched one by one.
        #expect(counts.perAPI["contact.v3.user.get"] == nil)
        #expect((counts.perAPI["contact.v3.user.find_by_department"] ?? 0) >= 9)
        #expect((counts.perAPI["contact.v3.department.children"] ?? 0) == 4, "8 departments in pages of 2")
        #expect(counts.tokensIssued == 1)

        // The same directory read again: nothing to repair.
        guard case .clean = try await reconcile(pipeline, store) else {
            Issue.record("a second read of an unchanged directory should find nothing")
            return
        }
    }

    /// Every token expires at the pass's first users call, after the departments were read
    /// with it: that call is refused with Feishu's expiry code, a new token is fetched and the
    /// call made again; nothing is lost. (The expiry is tied to a call, not to a time, so that
    /// a loaded machine cannot finish the pass before it.)
    @Test func aTokenExpiredMidPassIsReplaced() async throws {
        let sim = try await FeishuSim.start()
        try await sim.load(FeishuDirectoryFixture.neutral)
        try await sim.control(
            "POST", "/_sim/fault",
            [
                "api": "contact.v3.user.find_by_department", "times": 1, "expire_tokens": true,
                "answer": [
                    "code": 99991663, "_status": 400,
                    "msg": "Invalid access token for authorization. Please make a request with token attached.",
                ],
            ])
        let fixture = try FeishuDirectoryFixture()
        let (pipeline, store) = try fixture.pipeline(sim)
        guard case .repaired = try await reconcile(pipeline, store) else {
            Issue.record("the pass should load the target")
            return
        }
        try expectFullDirectory(fixture)
        let counts = try await sim.counts()
        #expect(counts.tokensIssued == 2, "one token, then one after the expiry")
    }

    /// A listing that answers has_more with the page token it was given pages the same items
    /// for ever: the read stops with why, instead of calling until the quota is gone.
    @Test func aPageTokenGivenAgainStopsTheRead() async throws {
        let sim = try await FeishuSim.start()
        try await sim.load(FeishuDirectoryFixture.neutral)
        try await sim.control(
            "POST", "/_sim/fault",
            [
                "api": "contact.v3.user.find_by_department", "times": 100,
                "answer": ["code": 0, "msg": "success", "data": ["has_more": true, "page_token": "again", "items": []]],
            ])
        let fixture = try FeishuDirectoryFixture()
        let (pipeline, store) = try fixture.pipeline(sim)
        await #expect {
            _ = try await reconcile(pipeline, store)
        } throws: { error in
            "\(error)".contains("has_more with a page_token it gave before (page 2)")
        }
        #expect(try await sim.counts().perAPI["contact.v3.user.find_by_department"] == 2)
    }

    /// Feishu's rate limit at 3 calls a second and 10 a minute for the users API: the pass is
    /// refused (HTTP 429, 99991400), waits as `x-ogw-ratelimit-reset` says, and loses nothing.
    @Test func rateLimitAnswersSlowThePassAndLoseNothing() async throws {
        let sim = try await FeishuSim.start()
        try await sim.load(FeishuDirectoryFixture.neutral)
        try await sim.control(
            "POST", "/_sim/rate-limit", ["api": "contact.v3.user.find_by_department", "per_second": 3, "per_minute": 1000])
        let fixture = try FeishuDirectoryFixture()
        let (pipeline, store) = try fixture.pipeline(sim)
        guard case .repaired = try await reconcile(pipeline, store) else {
            Issue.record("the pass should load the target")
            return
        }
        try expectFullDirectory(fixture)
        let counts = try await sim.counts()
        #expect(counts.rateLimited > 0, "the simulator should have refused some calls")
    }

    /// The daemon reads at start and every `interval`: a department renamed and another moved,
    /// a user leaving a department, one deleted and one created in Feishu are repaired by the
    /// next read.
    @Test func theNextReadRepairsRenamesMovesAndDepartures() async throws {
        let sim = try await FeishuSim.start()
        try await sim.load(FeishuDirectoryFixture.neutral)
        let fixture = try FeishuDirectoryFixture()
        let (pipeline, store) = try fixture.pipeline(sim, pageSize: 50, interval: "2s")
        let run = Task {
            try await Pipeline(configuration: pipeline, store: store, sources: SourceKinds.registry, targets: TargetKinds.registry)
                .run()
        }
        defer { run.cancel() }
        #expect(try await eventually { fixture.count("portal_memberships") == 23 }, "the first read did not arrive")
        try expectFullDirectory(fixture)

        try await sim.control("POST", "/_sim/admin/update_department", ["id": "hr", "name": "People & Culture"])
        try await sim.control("POST", "/_sim/admin/update_department", ["id": "sales-east", "parent": "eng"])
        try await sim.control("POST", "/_sim/admin/update_user", ["id": "u02", "departments": ["sales-east"]])
        try await sim.control("POST", "/_sim/admin/delete_user", ["id": "u04"])
        try await sim.control(
            "POST", "/_sim/admin/create_user",
            ["id": "u99", "name": "New Hire", "email": "u99@example.com", "mobile": "+86 13900000099",
             "departments": ["eng-plat-db-ops-oncall"]])

        let repaired = try await eventually {
            (try? fixture.rows("SELECT title FROM portal_groups WHERE id = 'hr'")) == ["People & Culture"]
                && (try? fixture.rows("SELECT parent FROM portal_groups WHERE id = 'sales-east'")) == ["eng"]
                && (try? fixture.rows("SELECT group_id FROM portal_memberships WHERE user_id = 'u02'")) == ["sales-east"]
                && (try? fixture.rows("SELECT enabled FROM portal_users WHERE id = 'u04'")) == ["0"]
                && (try? fixture.rows("SELECT group_id FROM portal_memberships WHERE user_id = 'u99'"))
                    == ["eng-plat-db-ops-oncall"]
        }
        #expect(repaired, "the next read did not repair the target: \((try? fixture.rows("SELECT * FROM portal_groups")) ?? [])")
        // The deleted user is deactivated (onDelete: deactivate) and its memberships removed.
        #expect(try fixture.rows("SELECT COUNT(*) FROM portal_memberships WHERE user_id = 'u04'") == ["0"])
        #expect(fixture.count("portal_users") == 24)
        run.cancel()
        _ = await run.result
    }
}

/// `check`'s probe and a read with the app's secret wrong: Feishu's refusal (10014) names the
/// keys to fix and never the secret; with the right one the probe passes.
@Suite struct FeishuCredentialTests {
    @Test func aWrongSecretIsReportedWithoutIt() async throws {
        let sim = try await FeishuSim.start()
        let wrong = FeishuConnector(
            FeishuSourceConfig(appID: sim.appID, appSecret: "wrong-secret-xyzzy", baseURL: sim.baseURL),
            keyPath: "pipelines[0].source.feishu", logger: Logger(label: "test"))
        let checks = await wrong.probe()
        #expect(checks.map(\.status) == [.failed])
        let detail = checks.first?.detail ?? ""
        #expect(detail.contains("code 10014") && detail.contains("check pipelines[0].source.feishu.appId"), "\(detail)")
        do {
            _ = try await wrong.openSnapshot()
            Issue.record("a read with a wrong secret should fail")
        } catch {
            #expect("\(error)".contains("app secret invalid") && !String(reflecting: error).contains("xyzzy"))
        }
        #expect(!detail.contains("xyzzy") && !"\(wrong.settings)".contains("xyzzy"))
        #expect(!String(reflecting: wrong.settings).contains("xyzzy"))

        let right = FeishuConnector(
            FeishuSourceConfig(appID: sim.appID, appSecret: sim.appSecret, baseURL: sim.baseURL), logger: Logger(label: "test"))
        #expect(await right.probe().map(\.status) == [.passed])
    }
}

/// Every log line of a read that met rate limits and an expired token, and the error of a
/// refused call: neither the app's secret nor a token (`t-` and 32 hex digits) is in them.
@Suite struct FeishuSecretsTests {
    final class Capture: LogHandler, @unchecked Sendable {
        let lines = Mutex<[String]>([])
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            lines.withLock { $0.append("\(event.message) \(all.map { "\($0)=\($1)" }.joined(separator: " "))") }
        }
    }

    @Test func neitherSecretNorTokenIsLogged() async throws {
        let sim = try await FeishuSim.start()
        try await sim.load(FeishuDirectoryFixture.neutral)
        // The first users call meets the rate limit, the second an expired token: tied to calls,
        // not to a rate or a time, so that a loaded machine reads the same way as a quiet one.
        try await sim.control(
            "POST", "/_sim/fault",
            ["api": "contact.v3.user.find_by_department", "times": 1,
             "answer": ["_status": 429, "code": 99991400, "msg": "request trigger frequency limit"]])
        try await sim.control(
            "POST", "/_sim/fault",
            ["api": "contact.v3.user.find_by_department", "times": 1, "expire_tokens": true,
             "answer": ["_status": 400, "code": 99991663, "msg": "Invalid access token for authorization."]])
        let store = Capture()
        let logger = Logger(label: "feishu-test") { _ in store }
        let connector = FeishuConnector(
            FeishuSourceConfig(appID: sim.appID, appSecret: sim.appSecret, baseURL: sim.baseURL, pageSize: 2), logger: logger)
        _ = try await connector.openSnapshot()
        #expect(try await sim.counts().tokensIssued == 2, "the expired token was replaced")
        // A call refused for good: its error is what logs and `check` would show.
        try await sim.control(
            "POST", "/_sim/fault",
            ["api": "contact.v3.department.children", "times": 1,
             "answer": ["_status": 403, "code": 40004, "msg": "no dept authority error\nforged line"]])
        var failure = ""
        do {
            _ = try await connector.openSnapshot()
        } catch {
            failure = "\(error) \(String(reflecting: error))"
        }
        let logged = store.lines.withLock { $0 }
        #expect(logged.contains { $0.contains("Feishu rate limit; waiting") }, "\(logged)")
        let token = try Regex("t-[0-9a-f]{32}")
        for text in logged + [failure] {
            #expect(!text.contains(sim.appSecret) && text.firstMatch(of: token) == nil, "\(text)")
        }
        // Feishu's message, escaped: it cannot start a log line of its own.
        #expect(failure.contains("code 40004: no dept authority error\\nforged line"), "\(failure)")
        #expect(!failure.contains("\n"), "\(failure)")
    }
}
