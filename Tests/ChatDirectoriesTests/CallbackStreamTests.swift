import ChatDirectories
import Config
import Connectors
import Daemon
import Directory
import Foundation
import Logging
import SCIM
import TargetKinds
import Testing
import TestSupport

/// DingTalk's callback events end to end through the pipeline (the daemon's `Pipeline`, into
/// the SQLite example tables), without HTTP: the events the simulator's console changes
/// would send are handed to the inbox as the receiver would, and each is applied between
/// full reads — a user created, a department renamed and moved, a user's departments changed,
/// a user leaving, a delivery repeated, a transient failure retried — then an overflow of the
/// inbox turns into a full read that repairs a change no event was delivered for.
@Suite struct CallbackStreamTests {
    /// The registry's `dingtalk` kind, with the callbacks wired as the daemon will wire them.
    static func registry(_ inbox: CallbackInbox) -> SourceRegistry {
        SourceRegistry([
            SourceKind(key: "dingtalk", config: DingTalkSourceConfig.configKind) { context in
                context.pipeline.source.settings(DingTalkSourceConfig.self).map {
                    DingTalkConnector(
                        $0, keyPath: context.keyPath + ".dingtalk",
                        callbacks: CallbackWiring(
                            inbox: inbox, onDelete: context.pipeline.onDelete, pipeline: context.pipeline.name,
                            targetReader: context.targetReader,
                            fetchRetry: LimitRetry(
                                backoff: Backoff(initialDelay: .milliseconds(20), maximumDelay: .milliseconds(200)),
                                maximumAttempts: 4)),
                        logger: context.logger)
                }
            }
        ])
    }

    static func event(_ type: String, _ change: PlatformEvent.Change, _ subjects: PlatformEvent.Subject..., id: String? = nil)
        -> PlatformEvent
    {
        PlatformEvent(id: id ?? UUID().uuidString, type: type, change: change, subjects: subjects)
    }

    /// Full reads so far: each lists the root's children once.
    static func fullReads(_ sim: DingTalkSim) async throws -> Int {
        try await sim.counts().perAPI["dingtalk.oapi.v2.department.listsub"] ?? 0
    }

    @Test func eventsAreAppliedBetweenFullReads() async throws {
        let sim = try await DingTalkSim.start()
        try await sim.load(DingTalkDirectoryFixture.neutral)
        let fixture = try DingTalkDirectoryFixture()
        let (pipeline, store) = try fixture.pipeline(sim, pageSize: 100, interval: "1h")
        let inbox = CallbackInbox(capacity: 20)
        let run = Task {
            try await Pipeline(
                configuration: pipeline, store: store, sources: Self.registry(inbox), targets: TargetKinds.registry
            ).run()
        }
        defer { run.cancel() }
        #expect(try await eventually { fixture.count("portal_memberships") == 23 }, "the first read did not arrive")
        try DingTalkSourceTests.expectFullDirectory(fixture)
        let readsAtStart = try await Self.fullReads(sim)
        #expect(readsAtStart == 9, "one full read: the root and its eight departments listed")

        // A user created in two departments.
        try await sim.control(
            "POST", "/_sim/admin/create_user",
            ["id": "u99", "name": "New Hire", "email": "u99@example.com", "mobile": "+86 13900000099", "departments": ["6", "9"]])
        inbox.deliver([Self.event("user_add_org", .upserted, .user("u99"))])
        #expect(try await eventually {
            (try? fixture.rows("SELECT login, given_name, mail, enabled FROM portal_users WHERE id = 'u99'"))
                == ["u99|New Hire|u99@example.com|1"]
                && (try? fixture.rows("SELECT group_id FROM portal_memberships WHERE user_id = 'u99' ORDER BY 1")) == ["6", "9"]
        }, "the created user was not applied")

        // A department renamed; DingTalk busy (errcode -1) at the first fetch: retried.
        try await sim.control("POST", "/_sim/admin/update_department", ["id": "9", "name": "People & Culture"])
        try await sim.control(
            "POST", "/_sim/fault",
            ["api": "dingtalk.oapi.v2.department.get", "times": 1, "answer": ["errcode": -1, "errmsg": "系统繁忙"]])
        inbox.deliver([Self.event("org_dept_modify", .upserted, .department("9"))])
        #expect(try await eventually {
            (try? fixture.rows("SELECT title FROM portal_groups WHERE id = '9'")) == ["People & Culture"]
        }, "the renamed department was not applied")

        // A department moved under another.
        try await sim.control("POST", "/_sim/admin/update_department", ["id": "8", "parent": "2"])
        inbox.deliver([Self.event("org_dept_modify", .upserted, .department("8"))])
        #expect(try await eventually { (try? fixture.rows("SELECT parent FROM portal_groups WHERE id = '8'")) == ["2"] },
            "the moved department was not applied")

        // A user's departments changed: from 6 and 8 to 8 only (the target's old ones are read).
        try await sim.control("POST", "/_sim/admin/update_user", ["id": "u02", "departments": ["8"]])
        inbox.deliver([Self.event("user_modify_org", .upserted, .user("u02"))])
        #expect(try await eventually {
            (try? fixture.rows("SELECT group_id FROM portal_memberships WHERE user_id = 'u02'")) == ["8"]
        }, "the user's departments were not applied")

        // A user leaving: deactivated (onDelete: deactivate), memberships removed.
        try await sim.control("POST", "/_sim/admin/delete_user", ["id": "u04"])
        inbox.deliver([Self.event("user_leave_org", .removed, .user("u04"))])
        #expect(try await eventually {
            (try? fixture.rows("SELECT enabled FROM portal_users WHERE id = 'u04'")) == ["0"]
                && fixture.count("portal_memberships WHERE user_id = 'u04'") == 0
        }, "the departed user was not applied")

        // A delivery repeated (the platform retrying) is applied once: the department renamed
        // again is not fetched for the repeat; a later event shows the repeat was passed over.
        let rename = Self.event("org_dept_modify", .upserted, .department("7"), id: "event-7")
        try await sim.control("POST", "/_sim/admin/update_department", ["id": "7", "name": "Sales"])
        inbox.deliver([rename])
        #expect(try await eventually { (try? fixture.rows("SELECT title FROM portal_groups WHERE id = '7'")) == ["Sales"] })
        try await sim.control("POST", "/_sim/admin/update_department", ["id": "7", "name": "Sales (renamed again)"])
        try await sim.control("POST", "/_sim/admin/update_user", ["id": "u99", "name": "Marker"])
        inbox.deliver([rename, Self.event("user_modify_org", .upserted, .user("u99"))])
        #expect(try await eventually {
            (try? fixture.rows("SELECT given_name FROM portal_users WHERE id = 'u99'")) == ["Marker"]
        }, "the event after the repeat was not applied")
        #expect(try fixture.rows("SELECT title FROM portal_groups WHERE id = '7'") == ["Sales"])
        #expect(inbox.duplicates == 1)

        // None of that took a full read.
        #expect(try await Self.fullReads(sim) == readsAtStart)
        #expect(fixture.count("portal_users") == 24)

        // More events than the inbox holds: dropped for a full read, which also finds the
        // rename no event was delivered for.
        inbox.deliver((0..<21).map { _ in Self.event("user_modify_org", .upserted, .user("u01")) })
        #expect(inbox.overflows == 1)
        #expect(try await eventually {
            (try? fixture.rows("SELECT title FROM portal_groups WHERE id = '7'")) == ["Sales (renamed again)"]
        }, "the overflow did not bring a full read")
        #expect(try await Self.fullReads(sim) > readsAtStart)
        run.cancel()
        _ = await run.result
    }
}
