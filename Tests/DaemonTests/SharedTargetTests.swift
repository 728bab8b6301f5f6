import Connectors
import Directory
import Synchronization
import Testing

@testable import Daemon

/// A target in memory that records its batches and can hold the first one until released.
private final class RecordingTarget: Target, Sendable {
    private let batches = Mutex<[[ResourceOp]]>([])
    private let (entered, enteredSignal) = AsyncStream.makeStream(of: Void.self)
    private let (release, releaseSignal) = AsyncStream.makeStream(of: Void.self)
    private let holdsFirst: Bool

    init(holdingFirstBatch: Bool = false) {
        holdsFirst = holdingFirstBatch
    }

    var applied: [[ResourceOp]] { batches.withLock { $0 } }

    func apply(_ ops: [ResourceOp]) async throws -> ApplyOutcome {
        let first = batches.withLock { batches in
            batches.append(ops)
            return batches.count == 1
        }
        if first && holdsFirst {
            enteredSignal.yield()
            for await _ in release { break }
        }
        return .applied
    }

    func resourceCount() async throws -> Int { 0 }

    /// Returns once the first batch is being applied.
    func firstBatchEntered() async {
        for await _ in entered { break }
    }

    func releaseFirstBatch() { releaseSignal.yield() }
}

/// The stream and a reconciliation beside it share the pipeline's target: one batch at a
/// time, and a pass never undoes what the stream changed after the pass began.
@Suite struct SharedTargetTests {
    @Test func aPassLeavesOutWhatTheStreamChangedSinceItBegan() async throws {
        let inner = RecordingTarget()
        let dirty = StreamDirtySet()
        let shared = SharedTarget(inner, gate: PauseGate(), dirty: dirty)
        dirty.begin()
        _ = try await shared.apply([.delete(.user, id: "1")])
        let (applied, _) = try await shared.applyRepairs([.delete(.user, id: "1"), .delete(.user, id: "2")])
        #expect(applied == [.delete(.user, id: "2")])
        #expect(inner.applied == [[.delete(.user, id: "1")], [.delete(.user, id: "2")]])
    }

    /// A pass's repairs wait for the stream's batch in flight, and are filtered only once it
    /// is applied and noted: filtering earlier would let an older repair overwrite it.
    @Test func aPassWaitsForTheStreamsBatchInFlight() async throws {
        let inner = RecordingTarget(holdingFirstBatch: true)
        let dirty = StreamDirtySet()
        let shared = SharedTarget(inner, gate: PauseGate(), dirty: dirty)
        dirty.begin()
        let stream = Task { try await shared.apply([.delete(.user, id: "1")]) }
        await inner.firstBatchEntered()
        let pass = Task { try await shared.applyRepairs([.delete(.user, id: "1"), .delete(.user, id: "2")]) }
        // Every chance for the repairs to overtake the stream's batch, which they must not.
        for _ in 0..<200 { await Task.yield() }
        #expect(inner.applied == [[.delete(.user, id: "1")]])
        inner.releaseFirstBatch()
        _ = try await stream.value
        let (applied, _) = try await pass.value
        #expect(applied == [.delete(.user, id: "2")])
        #expect(inner.applied == [[.delete(.user, id: "1")], [.delete(.user, id: "2")]])
    }
}
