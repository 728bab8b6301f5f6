import ChatDirectories
import Config
import Connectors
import Daemon
import Directory
import Foundation
import Logging
import OffsetStore
import Reconcile
import SCIM
import SourceKinds
import Synchronization
import TargetKinds
import Testing
import TestSupport

/// The `dingtalk` source against scripts/dingtalk-sim: a full read of a five-level tree into the
/// SQLite example tables (one reconciliation pass, as `scimsync reconcile` and the daemon run
/// it), a token expired in the middle of a pass, rate-limit answers, and a second read repairing
/// renames, moves, departures and deletions.
@Suite struct DingTalkSourceTests {
    func reconcile(_ pipeline: PipelineConfig, _ store: OffsetStore) async throws -> ReconcileOutcome {
        try await Reconciliation(pipeline: pipeline, store: store).runStandalone(
            sources: SourceKinds.registry, targets: TargetKinds.registry, options: ReconcileOptions())
    }

    /// Everything the fixture holds is in the target, as the example maps it.
    static func expectFullDirectory(_ fixture: DingTalkDirectoryFixture) throws {
        #expect(
            try fixture.rows("SELECT id, title, COALESCE(parent, '∅') FROM portal_groups ORDER BY id")
                == DingTalkDirectoryFixture.expectedGroups)
        #expect(fixture.count("portal_users") == DingTalkDirectoryFixture.users.count)
        #expect(try fixture.rows("SELECT login, given_name, mail, title, enabled FROM portal_users WHERE id = 'u03'") == [
            "u03|李雷 \"Lei\" O'Brien|u03@example.com|Engineer|1"
        ])
        // DingTalk's `active` (has activated the app) is not the account's state: `listed` is.
        #expect(try fixture.rows("SELECT enabled FROM portal_users WHERE id = 'u05'") == ["1"])
        #expect(try fixture.rows("SELECT user_id || '|' || group_id FROM portal_memberships ORDER BY 1")
            == DingTalkDirectoryFixture.expectedMemberships(DingTalkDirectoryFixture.users))
    }

    @Test func aFullReadOfAFiveLevelTreeFillsTheTarget() async throws {
        let sim = try await DingTalkSim.start()
        try await sim.load(DingTalkDirectoryFixture.neutral)
        let fixture = try DingTalkDirectoryFixture()
        let (pipeline, store) = try fixture.pipeline(sim)
        guard case .repaired(let report) = try await reconcile(pipeline, store) else {
            Issue.record("the first read should load the target")
            return
        }
        #expect(report.repairs[.createUser] == DingTalkDirectoryFixture.users.count, "\(report.repairs)")
        try Self.expectFullDirectory(fixture)

        let counts = try await sim.counts()
        // The tree is listed one level at a time: the root and each of the eight departments once.
        #expect(counts.perAPI["dingtalk.oapi.v2.department.listsub"] == 9, "\(counts.perAPI)")
        // Users are listed per department in pages of two: the root's one user, three
        // departments of two and five of three or four (u02 is in two) make 1 + 3 + 5 × 2
        // pages; never fetched one by one.
        #expect(counts.perAPI["dingtalk.oapi.v2.user.list"] == 14, "\(counts.perAPI)")
        #expect(counts.perAPI["dingtalk.oapi.v2.user.get"] == nil && counts.perAPI["dingtalk.oapi.v2.department.get"] == nil)
        #expect(counts.tokensIssued == 1)
        #expect(counts.rateLimited == 0)

        // The same directory read again: nothing to repair.
        guard case .clean = try await reconcile(pipeline, store) else {
            Issue.record("a second read of an unchanged directory should find nothing")
            return
        }
    }

    /// Every token expires at the pass's first users call, after the departments were read
    /// with it: that call is refused with DingTalk's wrapped expiry (errcode 88, sub_code
    /// 42001), a new token is fetched and the call made again; nothing is lost. (The expiry is
    /// tied to a call, not to a time, so that a loaded machine cannot finish the pass before it.)
    @Test(arguments: ["42001", "40014"]) func aTokenExpiredMidPassIsReplaced(subCode: String) async throws {
        let sim = try await DingTalkSim.start()
        try await sim.load(DingTalkDirectoryFixture.neutral)
        try await sim.control(
            "POST", "/_sim/fault",
            [
                "api": "dingtalk.oapi.v2.user.list", "times": 1, "expire_tokens": true,
                "answer": [
                    "errcode": 88, "errmsg": .string("ding talk error[subcode=\(subCode),submsg=access_token超时]"),
                    "sub_code": .string(subCode), "sub_msg": "access_token超时", "request_id": "abc",
                ],
            ])
        let fixture = try DingTalkDirectoryFixture()
        let (pipeline, store) = try fixture.pipeline(sim)
        guard case .repaired = try await reconcile(pipeline, store) else {
            Issue.record("the pass should load the target")
            return
        }
        try Self.expectFullDirectory(fixture)
        let counts = try await sim.counts()
        #expect(counts.tokensIssued == 2, "one token, then one after the expiry")
    }

    /// DingTalk's limit at 3 calls a second for the users API (errcode 90006), and the
    /// per-address refusal without an errcode twice: the pass backs off, repeats, and loses
    /// nothing.
    @Test func rateLimitAnswersSlowThePassAndLoseNothing() async throws {
        let sim = try await DingTalkSim.start()
        try await sim.load(DingTalkDirectoryFixture.neutral)
        try await sim.control("POST", "/_sim/rate-limit", ["api": "dingtalk.oapi.v2.user.list", "per_second": 3])
        try await sim.control(
            "POST", "/_sim/fault",
            [
                "api": "dingtalk.oapi.v2.department.listsub", "times": 2,
                "answer": ["status": 1111, "wait": 5, "source": "x5", "punish": "deny", "uuid": "0123abcd"],
            ])
        let fixture = try DingTalkDirectoryFixture()
        let (pipeline, store) = try fixture.pipeline(sim)
        guard case .repaired = try await reconcile(pipeline, store) else {
            Issue.record("the pass should load the target")
            return
        }
        try Self.expectFullDirectory(fixture)
        let counts = try await sim.counts()
        #expect(counts.rateLimited > 0, "the simulator should have refused some calls")
        // The two refused listings were made again.
        #expect(counts.perAPI["dingtalk.oapi.v2.department.listsub"] == 9 + 2, "\(counts.perAPI)")
    }

    /// The daemon reads at start and every `interval`: a department renamed and another moved,
    /// a user leaving a department, one deleted and one created in DingTalk are repaired by the
    /// next read.
    @Test func theNextReadRepairsRenamesMovesAndDepartures() async throws {
        let sim = try await DingTalkSim.start()
        try await sim.load(DingTalkDirectoryFixture.neutral)
        let fixture = try DingTalkDirectoryFixture()
        let (pipeline, store) = try fixture.pipeline(sim, pageSize: 100, interval: "2s")
        let run = Task {
            try await Pipeline(configuration: pipeline, store: store, sources: SourceKinds.registry, targets: TargetKinds.registry)
                .run()
        }
        defer { run.cancel() }
        #expect(try await eventually { fixture.count("portal_memberships") == 23 }, "the first read did not arrive")
        try Self.expectFullDirectory(fixture)

        try await sim.control("POST", "/_sim/admin/update_department", ["id": "9", "name": "People & Culture"])
        try await sim.control("POST", "/_sim/admin/update_department", ["id": "8", "parent": "2"])
        try await sim.control("POST", "/_sim/admin/update_user", ["id": "u02", "departments": ["8"]])
        try await sim.control("POST", "/_sim/admin/delete_user", ["id": "u04"])
        try await sim.control(
            "POST", "/_sim/admin/create_user",
            ["id": "u99", "name": "New Hire", "email": "u99@example.com", "mobile": "+86 13900000099", "departments": ["6"]])

        let repaired = try await eventually {
            (try? fixture.rows("SELECT title FROM portal_groups WHERE id = '9'")) == ["People & Culture"]
                && (try? fixture.rows("SELECT parent FROM portal_groups WHERE id = '8'")) == ["2"]
                && (try? fixture.rows("SELECT group_id FROM portal_memberships WHERE user_id = 'u02'")) == ["8"]
                && (try? fixture.rows("SELECT enabled FROM portal_users WHERE id = 'u04'")) == ["0"]
                && (try? fixture.rows("SELECT group_id FROM portal_memberships WHERE user_id = 'u99'")) == ["6"]
        }
        #expect(repaired, "the next read did not repair the target: \((try? fixture.rows("SELECT * FROM portal_groups")) ?? [])")
        // The deleted user is deactivated (onDelete: deactivate) and its memberships removed.
        #expect(try fixture.rows("SELECT COUNT(*) FROM portal_memberships WHERE user_id = 'u04'") == ["0"])
        #expect(try fixture.rows("SELECT enabled FROM portal_users WHERE id = 'u99'") == ["1"])
        #expect(fixture.count("portal_users") == 24)
        run.cancel()
        _ = await run.result
    }
}

/// `check`'s probe and a read with the app's secret wrong: DingTalk's refusal (40096) names the
/// keys to fix and never the secret; with the right one the probe passes.
@Suite struct DingTalkCredentialTests {
    @Test func aWrongSecretIsReportedWithoutIt() async throws {
        let sim = try await DingTalkSim.start()
        let wrong = DingTalkConnector(
            DingTalkSourceConfig(appKey: sim.appKey, appSecret: "wrong-secret-xyzzy", baseURL: sim.baseURL),
            keyPath: "pipelines[0].source.dingtalk", logger: Logger(label: "test"))
        let checks = await wrong.probe()
        #expect(checks.map(\.status) == [.failed])
        let detail = checks.first?.detail ?? ""
        #expect(detail.contains("errcode 40096") && detail.contains("check pipelines[0].source.dingtalk.appKey"), "\(detail)")
        do {
            _ = try await wrong.openSnapshot()
            Issue.record("a read with a wrong secret should fail")
        } catch {
            #expect("\(error)".contains("不合法的appKey或appSecret") && !String(reflecting: error).contains("xyzzy"), "\(error)")
        }
        #expect(!detail.contains("xyzzy") && !"\(wrong.settings)".contains("xyzzy"))
        #expect(!String(reflecting: wrong.settings).contains("xyzzy"))

        let right = DingTalkConnector(
            DingTalkSourceConfig(appKey: sim.appKey, appSecret: sim.appSecret, baseURL: sim.baseURL),
            logger: Logger(label: "test"))
        #expect(await right.probe().map(\.status) == [.passed])
    }
}

/// Every log line of a read that met rate limits and expired tokens, and the error of a
/// refused call: neither the app's secret nor a token (32 hex digits) is in them.
@Suite struct DingTalkSecretsTests {
    @Test func neitherSecretNorTokenIsLogged() async throws {
        let sim = try await DingTalkSim.start()
        try await sim.load(DingTalkDirectoryFixture.neutral)
        // The first users call meets the rate limit, the second an expired token: tied to calls,
        // not to a rate or a time, so that a loaded machine reads the same way as a quiet one.
        try await sim.control(
            "POST", "/_sim/fault",
            ["api": "dingtalk.oapi.v2.user.list", "times": 1,
             "answer": ["errcode": 90018, "errmsg": "当前企业调用该接口次数过多，请求被暂时禁用了，请稍后再试", "request_id": "r0"]])
        try await sim.control(
            "POST", "/_sim/fault",
            [
                "api": "dingtalk.oapi.v2.user.list", "times": 1, "expire_tokens": true,
                "answer": [
                    "errcode": 88, "errmsg": "ding talk error[subcode=42001,submsg=access_token超时]",
                    "sub_code": "42001", "sub_msg": "access_token超时", "request_id": "abc",
                ],
            ])
        let store = FeishuSecretsTests.Capture()
        let logger = Logger(label: "dingtalk-test") { _ in store }
        let connector = DingTalkConnector(
            DingTalkSourceConfig(appKey: sim.appKey, appSecret: sim.appSecret, baseURL: sim.baseURL, pageSize: 2),
            logger: logger)
        _ = try await connector.openSnapshot()
        #expect(try await sim.counts().tokensIssued == 2, "the expired token was replaced")
        // A call refused for good: its error is what logs and `check` would show.
        try await sim.control(
            "POST", "/_sim/fault",
            ["api": "dingtalk.oapi.v2.department.listsub", "times": 1,
             "answer": ["errcode": 60011, "errmsg": "管理员权限不足\nforged line", "request_id": "r1"]])
        var failure = ""
        do {
            _ = try await connector.openSnapshot()
        } catch {
            failure = "\(error) \(String(reflecting: error))"
        }
        let logged = store.lines.withLock { $0 }
        #expect(logged.contains { $0.contains("DingTalk rate limit; waiting") }, "\(logged)")
        let token = try Regex("[0-9a-f]{32}")
        for text in logged + [failure] {
            #expect(!text.contains(sim.appSecret) && text.firstMatch(of: token) == nil, "\(text)")
        }
        // DingTalk's message, escaped: it cannot start a log line of its own.
        #expect(failure.contains("errcode 60011: 管理员权限不足\\nforged line"), "\(failure)")
        #expect(failure.contains("contact scope"), "\(failure)")
        #expect(!failure.contains("\n"), "\(failure)")
    }
}

/// Failures a read reports rather than hides: DingTalk out of reach (the secret, which the
/// token request carries in its query, is not in the error), and a listing that says it has
/// more without saying where it goes on.
@Suite struct DingTalkFailureTests {
    @Test func anUnreachablePlatformIsTransientAndNamesNoSecret() async throws {
        let port = try TestServers.refusingPort()
        let connector = DingTalkConnector(
            DingTalkSourceConfig(appKey: "dingkey", appSecret: "secret-plugh-in-the-query", baseURL: "http://127.0.0.1:\(port)"),
            logger: Logger(label: "test"))
        do {
            _ = try await connector.openSnapshot()
            Issue.record("a read of a closed port should fail")
        } catch let failure as SourceFailure {
            let text = "\(failure) \(String(reflecting: failure))"
            #expect(text.contains("DingTalk did not answer dingtalk.oapi.gettoken"), "\(text)")
            #expect(!text.contains("plugh"), "\(text)")
        }
    }

    @Test func hasMoreWithoutANextCursorStopsTheRead() async throws {
        let sim = try await DingTalkSim.start()
        try await sim.load(DingTalkDirectoryFixture.neutral)
        try await sim.control(
            "POST", "/_sim/fault",
            ["api": "dingtalk.oapi.v2.user.list", "times": 1,
             "answer": ["errcode": 0, "errmsg": "ok", "result": ["has_more": true, "list": []]]])
        let connector = DingTalkConnector(
            DingTalkSourceConfig(appKey: sim.appKey, appSecret: sim.appSecret, baseURL: sim.baseURL),
            logger: Logger(label: "test"))
        do {
            _ = try await connector.openSnapshot()
            Issue.record("a listing without a next_cursor should stop the read")
        } catch {
            #expect("\(error)".contains("has_more without a next_cursor past 0"), "\(error)")
        }
    }
}
