import Foundation
import Logging
import OffsetStore
import SourceKinds
import TargetKinds
import TestSupport
import Testing

@testable import Daemon

/// What a load says of itself while it runs: its progress now and then, once that it is
/// stuck when nothing moved for a while, and that it moves again.
@Suite struct LoadWatchTests {
    @Test func aLoadThatStopsMovingIsToldOnceAndItsRecoveryToo() {
        let start = ContinuousClock.now
        let watch = LoadWatch(every: .seconds(30), quietAfter: .seconds(60), now: start)
        #expect(watch.look(now: start + .seconds(10)) == nil)
        watch.wrote(1_000, now: start + .seconds(20))
        #expect(watch.look(now: start + .seconds(31)) == .progress(rows: 1_000))
        #expect(watch.look(now: start + .seconds(40)) == nil, "said again only after `every`")
        // Reading keeps a load that writes nothing from looking stuck.
        watch.read(now: start + .seconds(70))
        #expect(watch.look(now: start + .seconds(75)) == .progress(rows: 1_000))
        // Then nothing for a minute: stuck, said once.
        #expect(watch.look(now: start + .seconds(105)) == .progress(rows: 1_000))
        #expect(watch.look(now: start + .seconds(129)) == nil)
        #expect(watch.look(now: start + .seconds(130)) == .stuck(rows: 1_000, for: .seconds(60)))
        #expect(watch.look(now: start + .seconds(200)) == nil)
        #expect(watch.look(now: start + .seconds(400)) == nil)
        watch.wrote(500, now: start + .seconds(401))
        #expect(watch.look(now: start + .seconds(402)) == .moving(rows: 1_500))
        #expect(watch.look(now: start + .seconds(403)) == nil)
        #expect(watch.look(now: start + .seconds(433)) == .progress(rows: 1_500))
    }

    @Test func theStuckMessageSaysWhatToLookAt() {
        let message = LoadReport.stuck(rows: 12, for: .seconds(60)).message
        #expect(message.contains("nothing for 60 s") && message.contains("12 written so far"))
        #expect(message.contains("still waiting"))
    }
}

/// A first load into a PostgreSQL table another client has locked: the log says the load is
/// stuck and why it may be, and the load completes once the lock is gone.
@Suite struct StuckLoadTests {
    @Test func aLoadWaitingOnALockSaysSoAndGoesOnWhenItIsReleased() async throws {
        let fixture = try ExampleDirectories()
        let (config, schema) = try PipelineHarness.postgresConfig(fixture)
        let pipeline = try #require(config.pipelines.first)
        let store = try OffsetStore(path: fixture.stateDirectory + "/offsets.db")
        let holder = try TestServers.postgres()
        try holder.execute("BEGIN")
        try holder.execute("LOCK TABLE \"\(schema)\".portal_users IN ACCESS EXCLUSIVE MODE")
        let said = SaidLines()
        let running = Task {
            try await Pipeline(
                configuration: pipeline, store: store, sources: SourceKinds.registry, targets: TargetKinds.registry,
                logger: Logger(label: "scimsync-test") { _ in said }, loadQuiet: .milliseconds(300)
            ).run()
        }
        defer { running.cancel() }
        let told = try await eventually { said.lines.contains { $0.hasPrefix("the load has read and written nothing for") } }
        #expect(told, "\(said.lines.suffix(10))")
        try holder.execute("COMMIT")
        let loaded = try await eventually {
            guard case .int(let count)? = try holder.query("SELECT COUNT(*) FROM \"\(schema)\".portal_users", []).first?.values.first
            else { return false }
            return count == 4
        }
        #expect(loaded, "the load went on once the lock was released")
        #expect(try await eventually { said.lines.contains { $0.hasPrefix("the load is moving again") || $0.hasPrefix("first load committed") } })
    }
}

/// A log handler that keeps the messages it is given.
final class SaidLines: LogHandler, @unchecked Sendable {
    private let lock = NSLock()
    private var kept: [String] = []
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    var lines: [String] { lock.withLock { kept } }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        lock.withLock { kept.append(event.message.description) }
    }
}
