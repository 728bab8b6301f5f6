import Config
import Daemon
import Directory
import Foundation
import Inspection
import OffsetStore
import Reconcile
import SCIM
import SCIMClient
import SQLClients
import SourceKinds
import TargetKinds
import Testing
import TestSupport
import scimsync

/// A pipeline with `source: scim:` (config/scim-to-sqlite.yaml) reading a real scim2-server
/// into the SQLite example tables: the first full pull, incremental polls, and a deletion and
/// a dropped member found by the next full pull.
@Suite struct SCIMSourcePullTests {
    /// config/scim-to-sqlite.yaml against `peer`, polling every second, a full pull every
    /// `interval`, and `maxRemovals: 50%` (a directory of three: one removal is a third of it,
    /// beyond the default 10%).
    static func pipeline(_ fixture: ExampleDirectories, _ peer: SCIMPeer, interval: String) throws
        -> (PipelineConfig, OffsetStore)
    {
        let text = try String(contentsOfFile: ExampleDirectories.path("config/scim-to-sqlite.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "interval: 1h", with: "interval: \(interval)")
            .replacingOccurrences(of: "poll: 1m", with: "poll: 1s")
            .replacingOccurrences(of: "onDelete: deactivate", with: "onDelete: deactivate\n    reconcile: { maxRemovals: 50% }")
        let config = try ConfigLoader.parse(
            text, file: "scim-to-sqlite.yaml", baseDirectory: fixture.stateDirectory,
            kinds: configKinds, environment: fixture.environment.merging(["SCIM_URL": peer.url, "SCIM_TOKEN": peer.token]) { a, _ in a })
        return (try #require(config.pipelines.first), try OffsetStore(path: config.offsets.path))
    }

    @Test func pullsAFullDirectoryThenChangesThenDeletions() async throws {
        let fixture = try ExampleDirectories()
        let peer = try await SCIMPeer.start()
        let client = try SCIMClient(baseURL: peer.url, token: peer.token)
        func user(_ name: String, _ given: String) -> SCIMResource {
            SCIMResource([
                "schemas": [.string(SchemaURN.user)], "userName": .string(name), "name": ["givenName": .string(given)],
                "active": true,
            ])
        }
        var ids: [String] = []
        for (name, given) in [("bjensen", "Barbara"), ("jsmith", "John"), ("adoe", "Ann")] {
            guard case .created(let created) = try await client.create(user(name, given), at: .users) else {
                Issue.record("\(name) not created")
                return
            }
            ids.append(created.id ?? "")
        }
        _ = try await client.create(
            SCIMResource([
                "schemas": [.string(SchemaURN.group)], "displayName": "Team",
                "members": [["value": .string(ids[0])], ["value": .string(ids[1])]],
            ]), at: .groups)

        let (pipeline, store) = try Self.pipeline(fixture, peer, interval: "3s")
        let task = PipelineHarness.start(pipeline, store: store)
        defer { task.cancel() }

        let target = try SQLiteDatabase(path: fixture.sqlitePath)
        func value(_ sql: String) -> SQLValue? { try? target.query(sql).first?.values.first }
        func count(_ table: String) -> Int {
            if case .int(let n)? = value("SELECT COUNT(*) FROM \(table)") { return Int(n) }
            return -1
        }
        func waitUntil(_ what: String, _ condition: () -> Bool) async throws {
            let deadline = ContinuousClock.now + TestBounds.serverEvent
            while !condition(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
            #expect(condition(), "\(what) did not arrive")
        }

        try await waitUntil("the first full pull") {
            count("portal_users") == 3 && count("portal_groups") == 1 && count("portal_memberships") == 2
        }
        #expect(value("SELECT login FROM portal_users WHERE id = '\(ids[0])'") == .text("bjensen"))
        #expect(value("SELECT title FROM portal_groups") == .text("Team"))

        // Incremental: a change and a new user, within a poll.
        try await client.patch(ids[0], at: .users, [
            PatchOperation(op: .replace, path: try AttributePath.parse("name.givenName"), value: "Babs")
        ])
        _ = try await client.create(user("newbie", "New"), at: .users)
        try await waitUntil("the incremental changes") {
            count("portal_users") == 4 && value("SELECT given_name FROM portal_users WHERE id = '\(ids[0])'") == .text("Babs")
        }

        // A deletion and a member dropped on the provider: the next full pull (a reconciliation
        // pass) deactivates the user (onDelete: deactivate) and removes the membership.
        let team = try #require(try await client.search(.groups).resources.first?.id)
        try await client.patch(team, at: .groups, [
            PatchOperation(op: .remove, path: try AttributePath.parse(#"members[value eq "\#(ids[1])"]"#))
        ])
        try await client.delete(ids[2], at: .users)
        try await waitUntil("the deletion and the dropped member") {
            value("SELECT enabled FROM portal_users WHERE id = '\(ids[2])'") == .int(0)
                && value("SELECT user_id FROM portal_memberships") == .text(ids[0]) && count("portal_memberships") == 1
        }
        #expect(value("SELECT enabled FROM portal_users WHERE id = '\(ids[0])'") == .int(1))

        guard case .token(let watermark)? = try store.position(pipeline: pipeline.name) else {
            Issue.record("no watermark stored")
            return
        }
        #expect(!watermark.isEmpty)
        task.cancel()
        _ = await task.result
        let run = try #require(try store.runs(pipeline: pipeline.name, kind: "run").first)
        #expect(run.error == nil)

        // `scimsync reconcile` on the same pipeline: the same pass, by hand.
        try await client.patch(ids[0], at: .users, [
            PatchOperation(op: .replace, path: try AttributePath.parse("name.givenName"), value: "Barb")
        ])
        func reconcile(dryRun: Bool) async throws -> ReconcileOutcome {
            try await Reconciliation(pipeline: pipeline, store: store).runStandalone(
                sources: SourceKinds.registry, targets: TargetKinds.registry, options: ReconcileOptions(dryRun: dryRun))
        }
        guard case .dryRun(let report) = try await reconcile(dryRun: true) else {
            Issue.record("the dry run should find the change")
            return
        }
        #expect(report.repairs == [.patchUser: 1])
        guard case .repaired = try await reconcile(dryRun: false) else {
            Issue.record("the pass should repair")
            return
        }
        #expect(value("SELECT given_name FROM portal_users WHERE id = '\(ids[0])'") == .text("Barb"))

        // explain reads the provider: found by userName there, the same user on both sides.
        let explained = try await Explanation.lookUpReadingSCIM(.userName("bjensen"), in: pipeline, store: store)
        #expect(explained.id == ids[0])
        #expect(explained.sourceNote == nil && explained.source?.userName == "bjensen")
        #expect(explained.target?.userName == "bjensen")
        #expect(explained.differences == [], "\(explained.text)")
        try await client.patch(ids[0], at: .users, [
            PatchOperation(op: .replace, path: try AttributePath.parse("name.givenName"), value: "Bee")
        ])
        let drifted = try await Explanation.lookUpReadingSCIM(.user(id: ids[0]), in: pipeline, store: store)
        #expect(drifted.differences == ["name.givenName"], "\(drifted.text)")
        await #expect(throws: ExplainError.noSuchUserName("nobody", pipeline: pipeline.name)) {
            try await Explanation.lookUpReadingSCIM(.userName("nobody"), in: pipeline, store: store)
        }
    }

    /// A restart with a stored watermark begins with a full pull: what the provider deleted
    /// while scimsync was down is found at once, not an `interval` later.
    @Test func aRestartBeginsWithAFullPull() async throws {
        let fixture = try ExampleDirectories()
        let peer = try await SCIMPeer.start()
        let client = try SCIMClient(baseURL: peer.url, token: peer.token)
        var ids: [String] = []
        for name in ["ann", "bob", "cid"] {
            let user = SCIMResource([
                "schemas": [.string(SchemaURN.user)], "userName": .string(name), "name": ["givenName": .string(name)],
                "active": true,
            ])
            guard case .created(let created) = try await client.create(user, at: .users) else {
                Issue.record("\(name) not created")
                return
            }
            ids.append(created.id ?? "")
        }
        let (pipeline, store) = try Self.pipeline(fixture, peer, interval: "1h")
        let target = try SQLiteDatabase(path: fixture.sqlitePath)
        func enabled(_ id: String) -> SQLValue? {
            try? target.query("SELECT enabled FROM portal_users WHERE id = ?", [.text(id)]).first?.values.first
        }

        let first = PipelineHarness.start(pipeline, store: store)
        #expect(try await eventually { enabled(ids[2]) == .int(1) }, "the first full pull did not arrive")
        #expect(try await eventually { try store.position(pipeline: pipeline.name) != nil }, "no watermark committed")
        first.cancel()
        _ = await first.result

        try await client.delete(ids[2], at: .users)
        let second = PipelineHarness.start(pipeline, store: store)
        defer { second.cancel() }
        // `interval` is an hour: only the restart's full pull can find the deletion.
        #expect(try await eventually { enabled(ids[2]) == .int(0) }, "the deletion made while down was not found")
        #expect(enabled(ids[0]) == .int(1))
    }
}
