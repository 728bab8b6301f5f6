import Connectors
import Directory
import Foundation
import Logging
import SCIM
import Testing

@testable import FeedSource

/// The feed's stream as the pipeline reads it: a run is started and planned by `next()`, and
/// while its chunks are handed out, the next one is also there for `nextBuffered()` (what the
/// pipeline reads while it stores the last position, and what group commit joins).
@Suite struct FeedChangeSourceTests {
    static let users = Fixtures.tsv([
        ("ada", "Ada", "Lovelace", "ada@example.com", "Staff"),
        ("bob", "Bob", "Babbage", "bob@example.com", "Staff"),
        ("cy", "Cy", "Young", "cy@example.com", "Staff"),
        ("di", "Di", "Prince", "di@example.com", "Staff"),
        ("ed", "Ed", "Wood", "ed@example.com", "Staff"),
    ])

    /// A feed whose first run applies by itself, and its stream from the start.
    static func open(_ dir: TemporaryDirectory, chunkUsers: Int) async throws -> (FeedSite, any ChangeSource) {
        let site = try FeedSite(
            settings: FeedSourceConfig(controlPath: "control.json", control: try Fixtures.control(), firstRun: .apply),
            pipeline: "hr", offsetsPath: dir.file("offsets.db"))
        let connector = FeedConnector(
            site: site, settings: .init(poll: .milliseconds(10), keepFiles: 2, chunkUsers: chunkUsers), logger: Logger(label: "test"))
        return (site, try await connector.openStream(from: FeedPosition(run: 0, applied: 0).sourcePosition))
    }

    @Test func theChunksOfTheRunInHandAreBufferedAndNothingElseIs() async throws {
        let dir = try TemporaryDirectory()
        let (site, stream) = try await Self.open(dir, chunkUsers: 2)

        let staged = try site.stage(files: [.bytes(name: "users.tsv", Data(Self.users.utf8))], startedBy: "http")
        // No run is being handed out: buffered reading neither starts nor plans one.
        #expect(try await stream.nextBuffered() == nil)
        #expect(try site.store.run(staged.run.id)?.state == .ready)

        guard case .batch(let first)? = try await stream.next() else {
            Issue.record("expected the run's first chunk")
            return
        }
        var batches = [first]
        while case .batch(let more)? = try await stream.nextBuffered() { batches.append(more) }

        // Five users, two a chunk: three chunks, in the plan's order, each ending further on.
        #expect(batches.count == 3)
        let applied = batches.map { FeedPosition($0.position)?.applied ?? -1 }
        #expect(applied == applied.sorted() && Set(applied).count == 3)
        #expect(batches.map(\.rowCount) == [2, 2, 1])
        let created = batches.flatMap(\.ops).compactMap { op -> String? in
            if case .create(.user, let resource) = op { resource.userName } else { nil }
        }
        #expect(created.sorted() == ["ada", "bob", "cy", "di", "ed"])

        // Handing them out recorded nothing: only the acknowledgement of what the target
        // committed does (written beside the pipeline; stopping waits for it), and the last
        // one covers the chunks before it.
        #expect(try site.store.run(staged.run.id)?.appliedThrough == 0)
        await stream.acknowledge(batches[2].position)
        await stream.stop()
        let run = try #require(try site.store.run(staged.run.id))
        #expect(run.state == .running && run.appliedThrough == run.planned)
        #expect(try site.store.users().filter(\.owned).count == 5)
    }

    /// The target refused one user of a run (quarantined): once the chunk is acknowledged,
    /// the feed's record of that user says so (`error`), which makes the next run send the
    /// user again whole although its record did not change (as for a record once skipped).
    @Test func aUserTheTargetRefusedIsMarkedForTheNextRun() async throws {
        let dir = try TemporaryDirectory()
        let (site, stream) = try await Self.open(dir, chunkUsers: 10)
        _ = try site.stage(files: [.bytes(name: "users.tsv", Data(Self.users.utf8))], startedBy: "http")
        guard case .batch(let first)? = try await stream.next() else {
            Issue.record("expected the run's chunk")
            return
        }
        let created = first.ops.compactMap { op -> SCIMResource? in
            if case .create(.user, let resource) = op { resource } else { nil }
        }
        let bob = created.first { $0.userName == "bob" }?.id ?? "bob"
        await stream.refused([
            QuarantinedResource(kind: "User", id: bob, reason: "the column is NOT NULL"),
            QuarantinedResource(kind: "Group", id: "staff", reason: "not a user"),
        ])
        await stream.acknowledge(first.position)
        await stream.stop()
        let users = try site.store.users()
        #expect(users.count == 5)
        #expect(users.filter(\.error).map(\.userName) == ["bob"], "a group the feed does not have marks nobody")
    }

    /// A group the target refused a member change of (a SCIM provider refusing the PATCH):
    /// its members are sent again, memberships included, by the next run.
    @Test func theMembersOfAGroupTheTargetRefusedAreMarkedForTheNextRun() async throws {
        let dir = try TemporaryDirectory()
        let (site, stream) = try await Self.open(dir, chunkUsers: 10)
        _ = try site.stage(
            files: [
                .bytes(
                    name: "users.tsv",
                    Data(Fixtures.tsv([
                        ("ada", "Ada", "Lovelace", "ada@example.com", "Staff"), ("bob", "Bob", "Babbage", "bob@example.com", "Sales"),
                        ("cy", "Cy", "Young", "cy@example.com", "Staff;Sales"),
                    ]).utf8))
            ], startedBy: "http")
        guard case .batch(let first)? = try await stream.next() else {
            Issue.record("expected the run's chunk")
            return
        }
        await stream.refused([QuarantinedResource(kind: "Group", id: "g-sales", reason: "a member change was refused")])
        await stream.acknowledge(first.position)
        await stream.stop()
        #expect(try site.store.users().filter(\.error).map(\.userName).sorted() == ["bob", "cy"])
    }

    /// A run another process makes ready (here a second store on the same file, as
    /// `scimsync feed upload` opens it) is started when the store's files change, long before
    /// the next `poll`.
    @Test func aRunStagedElsewhereStartsWithoutWaitingForThePoll() async throws {
        let dir = try TemporaryDirectory()
        let offsets = dir.file("offsets.db")
        let settings = FeedSourceConfig(controlPath: "control.json", control: try Fixtures.control(), firstRun: .apply)
        let site = try FeedSite(settings: settings, pipeline: "hr", offsetsPath: offsets)
        // Without the store's change, the stream would look again only after ten minutes.
        let connector = FeedConnector(
            site: site, settings: .init(poll: .seconds(600), keepFiles: 2, chunkUsers: 10), logger: Logger(label: "test"))
        let stream = try await connector.openStream(from: FeedPosition(run: 0, applied: 0).sourcePosition)
        // The upload on a thread of its own (not the test's task pool, which a loaded run of
        // the whole suite may keep busy), after the stream has looked once and begun to wait.
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(300)) {
            let uploader = try? FeedSite(settings: settings, pipeline: "hr", offsetsPath: offsets)
            _ = try? uploader?.stage(files: [.bytes(name: "users.tsv", Data(Self.users.utf8))], startedBy: "upload")
        }
        let clock = ContinuousClock()
        let started = clock.now
        let event = try await stream.next()
        let waited = started.duration(to: clock.now)
        guard case .batch(let batch)? = event else {
            Issue.record("expected the staged run's first chunk")
            return
        }
        // Far below the poll; a bound that holds on a loaded machine (without the store's
        // change the stream returns after the ten minutes).
        #expect(waited < .seconds(300), "waited \(waited)")
        let run = try #require(try site.store.runs().first)
        #expect(run.startedBy == "upload" && run.state == .running)
        #expect(FeedPosition(batch.position)?.run == run.id)
        #expect(batch.ops.count >= 5)
        await stream.stop()
    }
}
