import Config
import Daemon
import FeedSource
import Foundation
import Inspection
import OffsetStore
import Reconcile
import SourceKinds
import TargetKinds
import Testing
import TestSupport

/// A feed pipeline (config/feed-to-sqlite.yaml and its sample upload in every format) into
/// every kind of target: the first run held until approved; updates, a block and an unblock
/// across runs that apply by themselves; a run with a file 30% smaller held, one such run
/// cancelled and the next approved; a reconciliation repairing drift; and, throughout, a user
/// and a group the feed did not create, and a feed user's membership in that group, left
/// alone.
@Suite struct FeedPipelineTests {
    /// The sample upload's users and their managed groups.
    static let sampleMembers: Set<String> = [
        "zoe.muller in feed-staff", "francois.leger in feed-staff", "ana.pena in feed-staff", "ana.pena in feed-sales",
        "kim.lee in feed-sales", "ines.santos in feed-staff", "omar.haddad in feed-staff", "omar.haddad in feed-sales",
        "chloe.martin in feed-staff", "lukas.becker in feed-staff", "lukas.becker in feed-sales", "mia.schmidt in feed-staff",
    ]
    static let sampleUsers: Set<String> = [
        "zoe.muller", "francois.leger", "ana.pena", "kim.lee", "raj.patel", "ines.santos", "omar.haddad", "chloe.martin",
        "lukas.becker", "mia.schmidt", "noah.kowalski",
    ]

    @Test(arguments: FeedPipelineFixture.Kind.allCases)
    func runsAcrossUploads(_ kind: FeedPipelineFixture.Kind) async throws {
        let feed = try await FeedPipelineFixture(kind)
        defer { feed.peer?.stop() }
        let view = feed.view
        try await feed.seedForeign()
        let store = try feed.openStore()
        let task = PipelineHarness.start(feed.pipeline, store: store)
        defer { task.cancel() }

        // The first load creates the managed groups; the first run waits for a person.
        let first = try feed.stage()
        #expect(first.outcome == .held(reason: "this is the first run: nothing to compare it with, so it waits for approval"))
        #expect(first.run.counts["records"] == 11)
        #expect(first.run.errors == 0)
        try await feed.waitUntil("the managed groups") {
            try await view.groups() == ["g-other", "feed-staff", "feed-sales"] && store.position(pipeline: feed.pipeline.name) != nil
        }
        #expect(try feed.site.run(first.run.id)?.state == .ready)
        #expect(try await view.users().keys.sorted() == ["hal"])

        try feed.site.approve(run: first.run.id, by: "carol")
        try await feed.waitForRun(first.run.id, .complete)
        var users = try await view.users()
        #expect(Set(users.keys) == Self.sampleUsers.union(["hal"]))
        #expect(users.values.allSatisfy { $0.active })
        #expect(users["zoe.muller"]?.title == "Engineer")
        #expect(try await view.memberships() == Self.sampleMembers.union(["hal in g-other"]))
        #expect(try feed.site.run(first.run.id)?.counts["create"] == 11)
        #expect(try feed.site.run(first.run.id)?.approvedBy == "carol")

        // Someone adds a feed user to a group the feed does not manage.
        try await feed.addToForeignGroup("zoe.muller")

        // Run 2, as large as run 1 in bytes and records: an update, a block (raj's place in
        // contractors.json taken by a new contractor), a membership dropped; applies by itself.
        let second = try feed.stage([
            "staff.tsv": try FeedPipelineFixture.sample("staff.tsv", replacing: [("Engineer", "Designer")]),
            "contractors.json": try FeedPipelineFixture.sample(
                "contractors.json",
                replacing: [(#""login": "raj.patel", "first": "Raj", "last": "Patel", "mail": "raj.patel@example.com""#, #""login": "max.roe", "first": "Max", "last": "Roe", "mail": "max.roe@example.com""#)]),
            "sites.xml": try FeedPipelineFixture.sample("sites.xml", replacing: [("    <groups>Sales</groups>\n", "")]),
        ])
        #expect(second.outcome == .ready)
        try await feed.waitForRun(second.run.id, .complete)
        users = try await view.users()
        #expect(users["zoe.muller"] == FeedTargetUser(title: "Designer", active: true))
        #expect(users["raj.patel"]?.active == false)
        #expect(users["hal"] == FeedTargetUser(title: "Operator", active: true))
        let afterSecond = Self.sampleMembers.subtracting(["lukas.becker in feed-sales"]).union(["hal in g-other", "zoe.muller in g-other"])
        #expect(try await view.memberships() == afterSecond)
        let counts = try #require(try feed.site.run(second.run.id)?.counts)
        #expect(counts["update"] == 2 && counts["block"] == 1 && counts["create"] == 1, "\(counts)")
        #expect(users["max.roe"] == FeedTargetUser(title: "Auditor", active: true))
        if kind != .scim { try explainsTheFeedsSide(feed, store: store, run: second.run.id) }

        // Run 3: the original files again: raj is unblocked, the rest goes back.
        let third = try feed.stage()
        #expect(third.outcome == .ready)
        try await feed.waitForRun(third.run.id, .complete)
        users = try await view.users()
        #expect(users["raj.patel"]?.active == true)
        #expect(users["zoe.muller"]?.title == "Engineer")
        #expect(try await view.memberships() == Self.sampleMembers.union(["hal in g-other", "zoe.muller in g-other"]))
        #expect(try feed.site.run(third.run.id)?.counts["unblock"] == 1)

        // Runs 4 and 5: staff.tsv without two of its three people, far smaller: held. The first
        // is cancelled (nothing happens), the second approved (two blocks).
        let shrunk = try FeedPipelineFixture.sample(
            "staff.tsv",
            replacing: [
                ("francois.leger\tFrançois\tLéger\tfrancois.leger@example.com\tAccountant\tStaff\r\n", ""),
                ("ana.pena\tAna\tPeña\tana.pena@example.com\tSales lead\tStaff;Sales\r\n", ""),
            ], padding: "")
        let fourth = try feed.stage(["staff.tsv": shrunk])
        guard case .held(let reason) = fourth.outcome else {
            Issue.record("\(kind): a run with a smaller file was not held: \(fourth.outcome)")
            return
        }
        #expect(reason.hasPrefix("staff.tsv is ") && reason.contains("% smaller than in run \(third.run.id)"), "\(reason)")
        try feed.site.cancel(run: fourth.run.id)
        #expect(try feed.site.run(fourth.run.id)?.state == .cancelled)
        let fifth = try feed.stage(["staff.tsv": shrunk])
        #expect(fifth.outcome != .ready)
        #expect(try await view.users()["francois.leger"]?.active == true)
        try feed.site.approve(run: fifth.run.id, by: "carol")
        try await feed.waitForRun(fifth.run.id, .complete)
        users = try await view.users()
        #expect(users["francois.leger"]?.active == false && users["ana.pena"]?.active == false)
        #expect(users["zoe.muller"]?.active == true && users["hal"]?.active == true)
        // A block keeps memberships, so that a user who returns comes back as they were.
        #expect(try await view.memberships() == Self.sampleMembers.union(["hal in g-other", "zoe.muller in g-other"]))
        #expect(try feed.site.user(named: "Francois.Leger")?.inFeed == false)
        #expect(try feed.site.runs().map(\.state) == [.complete, .cancelled, .complete, .complete, .complete])
    }

    /// `explain` on a feed pipeline: the source's side is what the feed knows of the user,
    /// and it agrees with the target after the run (a blocked user is inactive on both sides).
    private func explainsTheFeedsSide(_ feed: FeedPipelineFixture, store: OffsetStore, run: Int64) throws {
        let zoe = try Explanation.lookUp(.userName("Zoe.Muller"), in: feed.pipeline, store: store)
        #expect(zoe.id == "zoe.muller")
        #expect(zoe.source?.attributes["title"] == .string("Designer"))
        #expect(zoe.differences == [], "\(zoe.text)")
        #expect(zoe.sourceFacts.first == "in the feed's last applied run", "\(zoe.sourceFacts)")
        #expect(zoe.sourceFacts.contains("last changed by feed run \(run)"), "\(zoe.sourceFacts)")
        let raj = try Explanation.lookUp(.user(id: "raj.patel"), in: feed.pipeline, store: store)
        #expect(raj.source?.attributes["active"] == .bool(false))
        #expect(raj.target?.attributes["active"] == .bool(false))
        #expect(raj.differences == [], "\(raj.text)")
        #expect(raj.sourceFacts.first == "not in the feed's last applied run: blocked", "\(raj.sourceFacts)")
        let hal = try Explanation.lookUp(.user(id: "hal"), in: feed.pipeline, store: store)
        #expect(hal.source == nil && hal.target != nil && !hal.owned)
        #expect(hal.sourceFacts == ["the feed has not received this userName in any applied run"])
        #expect(hal.text.contains("    the feed has not received"), "\(hal.text)")
        let group = try Explanation.lookUp(.group(id: "feed-staff"), in: feed.pipeline, store: store)
        #expect(group.sourceNote?.hasPrefix("not read: a feed changes only") == true)
        #expect(group.differences == nil)
    }

    /// `scimsync reconcile` on a feed pipeline: a feed user changed in the target by hand is
    /// put back as the feed last wrote it, and so is a membership in a managed group; the user
    /// the feed did not create, and a membership in a group the feed does not manage, are left
    /// alone.
    @Test func reconcileRepairsTheFeedsUsersOnly() async throws {
        let feed = try await FeedPipelineFixture(.sqlite)
        try await feed.seedForeign()
        let store = try feed.openStore()
        let task = PipelineHarness.start(feed.pipeline, store: store)
        let first = try feed.stage()
        try feed.site.approve(run: first.run.id, by: "carol")
        try await feed.waitForRun(first.run.id, .complete)
        task.cancel()
        _ = try? await task.value
        guard case .sql(prefix: _, let query) = feed.view else { return }
        let loaded = try await feed.view.memberships()
        let zoes = loaded.filter { $0.hasPrefix("zoe.muller in ") }
        let removed = try #require(zoes.sorted().first, "zoe.muller is in no managed group: \(loaded)")
        _ = try query("UPDATE portal_users SET title = 'Drifted', enabled = 0 WHERE login IN ('zoe.muller', 'hal')")
        let group = String(removed.dropFirst("zoe.muller in ".count))
        _ = try query("DELETE FROM portal_memberships WHERE user_id = 'zoe.muller' AND group_id = '\(group)'")
        try await feed.addToForeignGroup("zoe.muller")
        let outcome = try await Reconciliation(pipeline: feed.pipeline, store: store).runStandalone(
            sources: SourceKinds.registry, targets: TargetKinds.registry, options: ReconcileOptions())
        #expect(outcome.report.totalRepairs >= 2, "\(outcome)")
        #expect(outcome.report.repairs[.addMember] == 1, "\(outcome)")
        #expect(outcome.report.repairs[.removeMember] == nil, "\(outcome)")
        let users = try await feed.view.users()
        #expect(users["zoe.muller"] == FeedTargetUser(title: "Engineer", active: true))
        #expect(users["hal"] == FeedTargetUser(title: "Drifted", active: false))
        let memberships = try await feed.view.memberships()
        #expect(memberships == loaded.union(["zoe.muller in g-other"]), "\(memberships.symmetricDifference(loaded))")
    }

    /// A run that blocks more users than `reconcile.maxRemovals` allows holds the pipeline,
    /// like any mass removal, until `scimsync approve`; then the blocks go through.
    @Test func theRemovalGuardHoldsMassBlocks() async throws {
        let feed = try await FeedPipelineFixture(.sqlite)
        let store = try feed.openStore()
        let task = PipelineHarness.start(feed.pipeline, store: store)
        defer { task.cancel() }
        let first = try feed.stage()
        try feed.site.approve(run: first.run.id, by: "carol")
        try await feed.waitForRun(first.run.id, .complete)

        // Six of eleven users gone (two files emptied, one nearly): beyond 10% and the floor of 5.
        let emptied = try feed.stage([
            "contractors.json": Data("[]".utf8),
            "sites.xml": Data("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<people/>\n".utf8),
            "interns.xml": Data("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<interns/>\n".utf8),
        ])
        #expect(emptied.outcome != .ready)
        try feed.site.approve(run: emptied.run.id, by: "carol")
        try await feed.waitUntil("the removal guard's hold") {
            try store.hold(pipeline: feed.pipeline.name)?.reason.contains("reconcile.maxRemovals") == true
        }
        #expect(try feed.site.run(emptied.run.id)?.state == .running)
        #expect(try await feed.view.users().values.allSatisfy { $0.active })

        try store.approve(pipeline: feed.pipeline.name)
        try await feed.waitForRun(emptied.run.id, .complete)
        let users = try await feed.view.users()
        #expect(users.filter { !$0.value.active }.keys.sorted() == [
            "chloe.martin", "kim.lee", "lukas.becker", "mia.schmidt", "noah.kowalski", "raj.patel",
        ])
        #expect(try feed.site.run(emptied.run.id)?.counts["block"] == 6)
    }
}
