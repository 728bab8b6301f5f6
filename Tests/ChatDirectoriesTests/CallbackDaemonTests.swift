import Config
import Connectors
import Daemon
import Foundation
import Logging
import NIOCore
import OffsetStore
import SCIM
import SourceKinds
import TargetKinds
import Testing
import TestSupport

/// Each platform's event callbacks as `run` serves them: the pipeline made by the program's
/// source kinds registers its receiver, the admin server listens at `/callbacks/<pipeline>`,
/// the simulator's console checks that URL as the platform's does and then posts, signed and
/// encrypted, the event of each change made in its console. A change reaches the SQLite
/// target between full reads (the interval is an hour), and the simulator saw every answer
/// accepted.
@Suite struct CallbackDaemonTests {
    /// Rows of a query on the target, as the fixtures give them.
    typealias Rows = (String) throws -> [String]

    /// Runs `pipeline` beside an admin server that serves its callbacks; `body` gets the
    /// callback URL to register.
    static func withDaemon(
        _ pipeline: PipelineConfig, store: OffsetStore, metrics: DaemonMetrics,
        _ body: (_ url: String) async throws -> Void
    ) async throws {
        let hub = CallbackHub()
        try await withListeningServer({ onServerRunning in
            AdminServer.application(
                HTTPConfig(host: "127.0.0.1", port: 0, token: "admin-token-0123456789abcdef"),
                states: PipelineStates(pipelines: [pipeline.name]), metrics: metrics, callbacks: hub,
                logger: Logger(label: "scimsync-test"), onServerRunning: onServerRunning)
        }) { port in
            let run = Task {
                try await Pipeline(
                    configuration: pipeline, store: store, sources: SourceKinds.registry, targets: TargetKinds.registry,
                    metrics: metrics, callbacks: hub
                ).run()
            }
            do {
                try await body("http://127.0.0.1:\(port)/callbacks/\(pipeline.name)")
            } catch {
                run.cancel()
                _ = await run.result
                throw error
            }
            run.cancel()
            _ = await run.result
        }
    }

    /// After the first read: registers `url` with the simulator, makes in its console a user
    /// (in `departments`), renames `rename` (where the platform sends an event for it), moves
    /// `move.department` under `move.parent`, removes a user, and expects each in the target
    /// without a full read.
    static func expectEventsApplied(
        url: String, pipeline: String, metrics: DaemonMetrics, rows: Rows, departments: [String], rename: String?,
        move: (department: String, parent: String),
        control: (String, String, SCIMValue?) async throws -> SCIMObject
    ) async throws {
        let registered = try await control("POST", "/_sim/callback", ["url": .string(url)])
        #expect(registered["verified"] == .bool(true), "the URL check failed: \(registered)")

        _ = try await control(
            "POST", "/_sim/admin/create_user",
            [
                "id": "u99", "name": "New Hire", "email": "u99@example.com", "mobile": "+86 13900000099",
                "departments": .array(departments.map { .string($0) }),
            ])
        #expect(
            try await eventually {
                (try? rows("SELECT given_name, enabled FROM portal_users WHERE id = 'u99'")) == ["New Hire|1"]
                    && (try? rows("SELECT group_id FROM portal_memberships WHERE user_id = 'u99' ORDER BY 1")) == departments.sorted()
            }, "the created user did not reach the target: \((try? rows("SELECT * FROM portal_users WHERE id = 'u99'")) ?? [])")

        if let rename {
            _ = try await control("POST", "/_sim/admin/update_department", ["id": .string(rename), "name": "People & Culture"])
            #expect(
                try await eventually { (try? rows("SELECT title FROM portal_groups WHERE id = '\(rename)'")) == ["People & Culture"] },
                "the renamed department did not reach the target: \((try? rows("SELECT * FROM portal_groups")) ?? [])")
        }

        _ = try await control("POST", "/_sim/admin/update_department", ["id": .string(move.department), "parent": .string(move.parent)])
        #expect(
            try await eventually {
                (try? rows("SELECT parent FROM portal_groups WHERE id = '\(move.department)'")) == [move.parent]
            }, "the moved department did not reach the target")

        _ = try await control("POST", "/_sim/admin/delete_user", ["id": "u04"])
        #expect(
            try await eventually {
                (try? rows("SELECT enabled FROM portal_users WHERE id = 'u04'")) == ["0"]
                    && (try? rows("SELECT COUNT(*) FROM portal_memberships WHERE user_id = 'u04'")) == ["0"]
            }, "the departed user was not deactivated")

        let deliveries = try await control("GET", "/_sim/deliveries", nil)["deliveries"]?.arrayValue ?? []
        #expect(!deliveries.isEmpty)
        #expect(
            deliveries.allSatisfy { $0.objectValue?["accepted"] == .bool(true) },
            "the simulator refused an answer: \(deliveries)")
        let text = String(buffer: ByteBuffer(bytes: metrics.registry.emitToBuffer()))
        #expect(text.contains(#"scimsync_callbacks_total{pipeline="\#(pipeline)",outcome="accepted"}"#), "\(text)")
        #expect(!text.contains(#"outcome="refused""#), "\(text)")
        #expect(text.contains(#"scimsync_callback_events_total{pipeline="\#(pipeline)",outcome="queued"}"#), "\(text)")
        #expect(!text.contains(#"outcome="full_read""#), "\(text)")
    }

    /// Secrets of the test's own, 43 base64 characters for the AES keys.
    static func secret() -> String { "t" + UUID().uuidString.replacingOccurrences(of: "-", with: "") }
    static func aesKey() -> String {
        String((UUID().uuidString + UUID().uuidString).replacingOccurrences(of: "-", with: "").prefix(43))
    }

    @Test func dingTalk() async throws {
        let (token, key) = (Self.secret(), Self.aesKey())
        // Deadlines of the platform's console widened: this checks the answers, not the speed
        // of a loaded test machine.
        let sim = try await DingTalkSim.start(arguments: [
            "--callback-token", token, "--callback-aes-key", key, "--callback-timeout", "30",
        ])
        try await sim.load(DingTalkDirectoryFixture.neutral)
        let fixture = try DingTalkDirectoryFixture()
        let (pipeline, store) = try fixture.pipeline(
            sim, pageSize: 100,
            callback: (
                #"{ token: "${DINGTALK_CALLBACK_TOKEN}", aesKey: "${DINGTALK_CALLBACK_AES_KEY}" }"#,
                ["DINGTALK_CALLBACK_TOKEN": token, "DINGTALK_CALLBACK_AES_KEY": key]
            ))
        let metrics = DaemonMetrics()
        try await Self.withDaemon(pipeline, store: store, metrics: metrics) { url in
            #expect(try await eventually { fixture.count("portal_memberships") == 23 }, "the first read did not arrive")
            let reads = try await sim.counts().perAPI["dingtalk.oapi.v2.department.listsub"]
            try await Self.expectEventsApplied(
                url: url, pipeline: pipeline.name, metrics: metrics, rows: fixture.rows, departments: ["6", "9"],
                rename: "9", move: ("8", "2")
            ) { try await sim.control($0, $1, $2) }
            #expect(try await sim.counts().perAPI["dingtalk.oapi.v2.department.listsub"] == reads, "a full read ran")
        }
    }

    /// WeCom sends no event for a department's rename: "该事件只会在ParentId变更时触发" (部门变更通知,
    /// for callback URLs configured after 2022-08-15); the next full read applies it.
    @Test func weCom() async throws {
        let (token, key) = (Self.secret(), Self.aesKey())
        let sim = try await WeComSim.start(arguments: [
            "--callback-token", token, "--encoding-aes-key", key, "--verify-deadline", "30",
        ])
        try await sim.load(WeComDirectoryFixture.neutral)
        let fixture = try WeComDirectoryFixture()
        let (pipeline, store) = try fixture.pipeline(
            sim,
            callback: (
                #"{ token: "${WECOM_CALLBACK_TOKEN}", encodingAESKey: "${WECOM_CALLBACK_AES_KEY}" }"#,
                ["WECOM_CALLBACK_TOKEN": token, "WECOM_CALLBACK_AES_KEY": key]
            ))
        let metrics = DaemonMetrics()
        try await Self.withDaemon(pipeline, store: store, metrics: metrics) { url in
            #expect(try await eventually { fixture.count("portal_users") == 23 }, "the first read did not arrive")
            try await Self.expectEventsApplied(
                url: url, pipeline: pipeline.name, metrics: metrics, rows: fixture.rows, departments: ["6"],
                rename: nil, move: ("8", "2")
            ) { try await sim.control($0, $1, $2) }
        }
    }

    @Test func feishu() async throws {
        let (token, key) = (Self.secret(), Self.secret())
        let sim = try await FeishuSim.start(arguments: [
            "--verification-token", token, "--encrypt-key", key, "--verification-deadline", "30", "--event-deadline", "30",
        ])
        try await sim.load(FeishuDirectoryFixture.neutral)
        let fixture = try FeishuDirectoryFixture()
        let (pipeline, store) = try fixture.pipeline(
            sim, pageSize: 50,
            callback: (
                #"{ verificationToken: "${FEISHU_VERIFICATION_TOKEN}", encryptKey: "${FEISHU_ENCRYPT_KEY}" }"#,
                ["FEISHU_VERIFICATION_TOKEN": token, "FEISHU_ENCRYPT_KEY": key]
            ))
        let metrics = DaemonMetrics()
        try await Self.withDaemon(pipeline, store: store, metrics: metrics) { url in
            #expect(try await eventually { fixture.count("portal_users") == 23 }, "the first read did not arrive")
            try await Self.expectEventsApplied(
                url: url, pipeline: pipeline.name, metrics: metrics, rows: fixture.rows,
                departments: ["eng-plat-db-ops-oncall"], rename: "hr", move: ("sales-east", "eng")
            ) { try await sim.control($0, $1, $2) }
        }
    }
}
