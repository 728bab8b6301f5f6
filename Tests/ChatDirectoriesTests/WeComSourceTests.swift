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
import Synchronization
import TargetKinds
import Testing
import TestSupport

/// The `wecom` source against scripts/wecom-sim: a full read of a five-level tree into the
/// SQLite example tables (one reconciliation pass, as `scimsync reconcile` and the daemon run
/// it), with an app made after 2022-06-20 (no e-mail) and before (e-mail); a token expired in
/// the middle of a pass; frequency and concurrency refusals; `department/list` refused; and a
/// second read repairing renames, moves, departures and deletions.
@Suite struct WeComSourceTests {
    func reconcile(_ pipeline: PipelineConfig, _ store: OffsetStore) async throws -> ReconcileOutcome {
        try await Reconciliation(pipeline: pipeline, store: store).runStandalone(
            sources: SourceKinds.registry, targets: TargetKinds.registry, options: ReconcileOptions())
    }

    /// Everything the fixture holds is in the target, as the example maps it; `mail` is what
    /// the app may read (nothing for an app made after 2022-06-20).
    func expectFullDirectory(_ fixture: WeComDirectoryFixture, mail: String = "∅") throws {
        #expect(try fixture.rows("SELECT id, title, COALESCE(parent, '∅') FROM portal_groups ORDER BY id")
            == WeComDirectoryFixture.expectedGroups)
        #expect(fixture.count("portal_users") == WeComDirectoryFixture.users.count)
        #expect(try fixture.rows("SELECT login, given_name, COALESCE(mail, '∅'), title, enabled FROM portal_users WHERE id = 'u03'")
            == ["u03|李雷 \"Lei\" O'Brien|\(mail)|Engineer|1"])
        #expect(try fixture.rows("SELECT enabled FROM portal_users WHERE id = 'u05'") == ["0"])
        #expect(try fixture.rows("SELECT user_id || '|' || group_id FROM portal_memberships ORDER BY 1")
            == WeComDirectoryFixture.expectedMemberships(WeComDirectoryFixture.users))
    }

    @Test func aFullReadOfAFiveLevelTreeFillsTheTarget() async throws {
        let sim = try await WeComSim.start()
        try await sim.load(WeComDirectoryFixture.neutral)
        let fixture = try WeComDirectoryFixture()
        let (pipeline, store) = try fixture.pipeline(sim)
        guard case .repaired(let report) = try await reconcile(pipeline, store) else {
            Issue.record("the first read should load the target")
            return
        }
        #expect(report.repairs[.createUser] == WeComDirectoryFixture.users.count, "\(report.repairs)")
        try expectFullDirectory(fixture)

        let counts = try await sim.counts()
        // Members are listed per department (the root and eight departments), with their
        // fields: never fetched one by one, never listed as bare ids.
        #expect(counts.perAPI["user/get"] == nil && counts.perAPI["user/list_id"] == nil, "\(counts.perAPI)")
        #expect(counts.perAPI["user/list"] == 9, "\(counts.perAPI)")
        #expect(counts.perAPI["department/list"] == 1 && counts.perAPI["department/get"] == nil, "\(counts.perAPI)")
        #expect(counts.tokensIssued == 1)

        // The same directory read again: nothing to repair.
        guard case .clean = try await reconcile(pipeline, store) else {
            Issue.record("a second read of an unchanged directory should find nothing")
            return
        }
    }

    /// An app made before 2022-06-20 is still given members' e-mail: it arrives in `mail`.
    @Test func anAppMadeBeforeTheChangeReadsEmail() async throws {
        let sim = try await WeComSim.start(arguments: ["--legacy-app"])
        try await sim.load(WeComDirectoryFixture.neutral)
        let fixture = try WeComDirectoryFixture()
        let (pipeline, store) = try fixture.pipeline(sim)
        guard case .repaired = try await reconcile(pipeline, store) else {
            Issue.record("the pass should load the target")
            return
        }
        try expectFullDirectory(fixture, mail: "u03@example.com")
    }

    /// Should WeCom refuse `department/list` to the app (48002), the tree comes from
    /// `department/simplelist` (one call) and each department from `department/get`.
    @Test func aRefusedDepartmentListIsReadIdByIdInstead() async throws {
        let sim = try await WeComSim.start()
        try await sim.load(WeComDirectoryFixture.neutral)
        try await sim.control(
            "POST", "/_sim/fault", ["api": "department/list", "times": 1, "answer": ["errcode": 48002, "errmsg": "api forbidden"]])
        let fixture = try WeComDirectoryFixture()
        let (pipeline, store) = try fixture.pipeline(sim)
        guard case .repaired = try await reconcile(pipeline, store) else {
            Issue.record("the pass should load the target")
            return
        }
        try expectFullDirectory(fixture)
        let counts = try await sim.counts()
        #expect(counts.perAPI["department/simplelist"] == 1 && counts.perAPI["department/get"] == 8, "\(counts.perAPI)")
    }

    /// An app whose visible range is one branch (department/list answers it without the root
    /// or the branch's parent): the branch's top is a top-level group, only its members are
    /// listed, and no membership names a department outside it.
    @Test func aNarrowVisibleRangeReadsItsBranch() async throws {
        let sim = try await WeComSim.start()
        try await sim.load(WeComDirectoryFixture.neutral)
        let branch: [SCIMValue] = [
            ["id": 4, "name": "Databases", "name_en": "", "department_leader": [], "parentid": 3, "order": 3],
            ["id": 5, "name": "Operations", "name_en": "", "department_leader": [], "parentid": 4, "order": 4],
        ]
        try await sim.control(
            "POST", "/_sim/fault",
            ["api": "department/list", "times": 1, "answer": ["errcode": 0, "errmsg": "ok", "department": .array(branch)]])
        let connector = WeComConnector(
            WeComSourceConfig(corpID: sim.corpID, appSecret: sim.appSecret, baseURL: sim.baseURL), logger: Logger(label: "test"))
        let snapshot = try await connector.openSnapshot()
        let reader = try #require(snapshot.reader as? ChatDirectoryReader)
        #expect(try reader.groups().map { "\($0.id)|\($0.parentID ?? "∅")" } == ["4|∅", "5|4"])
        // u10 and u18 are in 4; u03, u11 and u19 in 5 (the fixture's `number % 8`).
        #expect(try reader.users().map(\.id).sorted() == ["u03", "u10", "u11", "u18", "u19"])
        #expect(Set(try reader.members().map(\.groupID)) == ["4", "5"])
        #expect(try await sim.counts().perAPI["user/list"] == 2)
    }

    /// Every token expires at the pass's first members call, after the departments were read
    /// with it: that call is refused with WeCom's expiry code (42001), a new token is fetched
    /// and the call made again; nothing is lost. (The expiry is tied to a call, not to a time,
    /// so that a loaded machine cannot finish the pass before it.)
    @Test func aTokenExpiredMidPassIsReplaced() async throws {
        let sim = try await WeComSim.start()
        try await sim.load(WeComDirectoryFixture.neutral)
        try await sim.control(
            "POST", "/_sim/fault",
            [
                "api": "user/list", "times": 1, "expire_tokens": true,
                "answer": ["errcode": 42001, "errmsg": "access_token expired, hint: [1764800000_sim], from ip: 127.0.0.1"],
            ])
        let fixture = try WeComDirectoryFixture()
        let (pipeline, store) = try fixture.pipeline(sim)
        guard case .repaired = try await reconcile(pipeline, store) else {
            Issue.record("the pass should load the target")
            return
        }
        try expectFullDirectory(fixture)
        let counts = try await sim.counts()
        #expect(counts.tokensIssued == 2, "one token, then one after the expiry")
        #expect(counts.perAPI["user/list"] == 10, "nine departments, one of them asked twice: \(counts.perAPI)")
    }

    /// The members API limited to 3 calls a second (past it WeCom refuses it, 45009, for the
    /// window's length) and `department/list` refused twice for concurrency (45033): the pass
    /// backs off, is slowed, and loses nothing.
    @Test func limitAnswersSlowThePassAndLoseNothing() async throws {
        let sim = try await WeComSim.start()
        try await sim.load(WeComDirectoryFixture.neutral)
        try await sim.control("POST", "/_sim/rate-limit", ["api": "user/list", "per_second": 3, "per_minute": 10000])
        try await sim.control(
            "POST", "/_sim/fault",
            ["api": "department/list", "times": 2, "answer": ["errcode": 45033, "errmsg": "api concurrent out of limit"]])
        let fixture = try WeComDirectoryFixture()
        let (pipeline, store) = try fixture.pipeline(sim)
        guard case .repaired = try await reconcile(pipeline, store) else {
            Issue.record("the pass should load the target")
            return
        }
        try expectFullDirectory(fixture)
        let counts = try await sim.counts()
        #expect(counts.rateLimited > 0, "the simulator should have refused some calls")
        #expect(counts.perAPI["department/list"] == 3, "two refusals, then the answer: \(counts.perAPI)")
    }

    /// The daemon reads at start and every `interval`: a department renamed and another moved,
    /// a member leaving a department, one deleted and one created in WeCom are repaired by the
    /// next read.
    @Test func theNextReadRepairsRenamesMovesAndDepartures() async throws {
        let sim = try await WeComSim.start()
        try await sim.load(WeComDirectoryFixture.neutral)
        let fixture = try WeComDirectoryFixture()
        let (pipeline, store) = try fixture.pipeline(sim, interval: "2s")
        let run = Task {
            try await Pipeline(configuration: pipeline, store: store, sources: SourceKinds.registry, targets: TargetKinds.registry)
                .run()
        }
        defer { run.cancel() }
        #expect(try await eventually { fixture.count("portal_memberships") == 23 }, "the first read did not arrive")
        try expectFullDirectory(fixture)

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
        // The deleted member is deactivated (onDelete: deactivate) and its memberships removed.
        #expect(try fixture.rows("SELECT COUNT(*) FROM portal_memberships WHERE user_id = 'u04'") == ["0"])
        #expect(fixture.count("portal_users") == 24)
        run.cancel()
        _ = await run.result
    }
}

/// `check`'s probe and a read with the secrets wrong or swapped: WeCom's refusal names the key
/// and what that secret is for, never the secret; the contact-sync secret is checked as what
/// writes need, never required.
@Suite struct WeComCredentialTests {
    func connector(_ sim: WeComSim, app: String, contact: String? = nil) -> WeComConnector {
        WeComConnector(
            WeComSourceConfig(corpID: sim.corpID, appSecret: app, contactSecret: contact, baseURL: sim.baseURL),
            keyPath: "pipelines[0].source.wecom", logger: Logger(label: "test"))
    }

    @Test func aWrongSecretIsReportedWithoutIt() async throws {
        let sim = try await WeComSim.start()
        let wrong = connector(sim, app: "wrong-secret-xyzzy")
        let checks = await wrong.probe()
        #expect(checks.map(\.status) == [.failed, .passed])
        let detail = checks.first?.detail ?? ""
        #expect(
            detail.contains("WeCom refused pipelines[0].source.wecom.appSecret, the self-built app's Secret")
                && detail.contains("errcode 40001") && detail.contains("which reads departments and users"), "\(detail)")
        do {
            _ = try await wrong.openSnapshot()
            Issue.record("a read with a wrong secret should fail")
        } catch {
            #expect("\(error)".contains("invalid credential") && !String(reflecting: error).contains("xyzzy"), "\(error)")
        }
        #expect(!detail.contains("xyzzy") && !"\(wrong.settings)".contains("xyzzy"))
        #expect(!String(reflecting: wrong.settings).contains("xyzzy"))
    }

    @Test func theContactSecretIsCheckedAsWhatWritesNeed() async throws {
        let sim = try await WeComSim.start()
        let alone = await connector(sim, app: sim.appSecret).probe()
        #expect(alone.map(\.status) == [.passed, .passed], "\(alone)")
        #expect(alone.last?.detail.contains("contactSecret: not given; reads need only appSecret") == true, "\(alone)")

        let both = await connector(sim, app: sim.appSecret, contact: sim.contactSecret).probe()
        #expect(both.map(\.status) == [.passed, .passed], "\(both)")
        #expect(both.last?.detail.contains("accepted as the contact-sync Secret") == true, "\(both)")

        // The app's secret where the contact-sync one belongs: it may not list ids (48002).
        let swapped = await connector(sim, app: sim.appSecret, contact: "contact-wrong-plugh").probe()
        #expect(swapped.map(\.status) == [.passed, .warning], "\(swapped)")
        #expect(swapped.last?.detail.contains("errcode 40001") == true && swapped.last?.detail.contains("plugh") == false)

        // The contact-sync secret given as the app's: WeCom refuses it members' fields.
        let contactAsApp = await connector(sim, app: sim.contactSecret).probe()
        #expect(contactAsApp.first?.status == .failed)
        #expect(
            contactAsApp.first?.detail.contains("errcode 48002") == true
                && contactAsApp.first?.detail.contains("appSecret must be a self-built app's Secret") == true,
            "\(contactAsApp)")
    }
}

/// Every log line of a read that met frequency limits and an expired token, and the error of a
/// refused call: neither a secret nor a token is in them.
@Suite struct WeComSecretsTests {
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
        let sim = try await WeComSim.start()
        try await sim.load(WeComDirectoryFixture.neutral)
        // The first members call meets the frequency limit, the second an expired token: tied
        // to calls, not to a rate or a time, so that a loaded machine reads the same way as a
        // quiet one.
        try await sim.control(
            "POST", "/_sim/fault",
            ["api": "user/list", "times": 1, "answer": ["errcode": 45009, "errmsg": "api freq out of limit"]])
        try await sim.control(
            "POST", "/_sim/fault",
            [
                "api": "user/list", "times": 1, "expire_tokens": true,
                "answer": ["errcode": 42001, "errmsg": "access_token expired, hint: [1764800000_sim], from ip: 127.0.0.1"],
            ])
        let store = Capture()
        let logger = Logger(label: "wecom-test") { _ in store }
        let connector = WeComConnector(
            WeComSourceConfig(
                corpID: sim.corpID, appSecret: sim.appSecret, contactSecret: sim.contactSecret, baseURL: sim.baseURL),
            logger: logger)
        _ = try await connector.openSnapshot()
        #expect(try await sim.counts().tokensIssued >= 2, "the expired token was replaced")
        _ = await connector.probe()
        // A call refused for good: its error is what logs and `check` would show.
        try await sim.control(
            "POST", "/_sim/fault",
            ["api": "department/list", "times": 1,
             "answer": ["errcode": 60011, "errmsg": "no privilege to access/modify contact/party/agent\nforged line"]])
        var failure = ""
        do {
            _ = try await connector.openSnapshot()
        } catch {
            failure = "\(error) \(String(reflecting: error))"
        }
        let logged = store.lines.withLock { $0 }
        #expect(logged.contains { $0.contains("WeCom frequency limit; waiting") }, "\(logged)")
        #expect(logged.contains { $0.contains("WeCom gave no member the mapped fields") && $0.contains("fields=email,mobile") }, "\(logged)")
        // The tokens live now (gettoken gives the live one again), and any token's shape.
        var tokens: [String] = []
        for secret in [sim.appSecret, sim.contactSecret] {
            let answer = try await sim.control("GET", "/cgi-bin/gettoken?corpid=\(sim.corpID)&corpsecret=\(secret)")
            tokens.append(answer["access_token"]?.stringValue ?? "?")
        }
        let shape = try Regex("[0-9a-f]{32}")
        for text in logged + [failure] {
            #expect(!text.contains(sim.appSecret) && !text.contains(sim.contactSecret), "\(text)")
            #expect(!tokens.contains { text.contains($0) } && text.firstMatch(of: shape) == nil, "\(text)")
        }
        // WeCom's message, escaped: it cannot start a log line of its own.
        #expect(failure.contains("errcode 60011: no privilege to access/modify contact/party/agent\\nforged line"), "\(failure)")
        #expect(failure.contains("visible range"), "\(failure)")
        #expect(!failure.contains("\n"), "\(failure)")
    }
}
