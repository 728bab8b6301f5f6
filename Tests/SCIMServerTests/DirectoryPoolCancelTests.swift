import Dispatch
import Foundation
@testable import HTTPLimits
import NIOCore
import NIOEmbedded
@testable import SCIMServer
import SQLClients
import Synchronization
import Targets
import TestSupport
import Testing

/// How the pool stops the statement of a client that left, without the logic of a database:
/// a cancel is the canceller below, a client leaving is its channel's input closing.
@Suite("Directory pool: cancels of clients that left")
struct DirectoryPoolCancelTests {
    /// A cancel loop begun for one request ends when the next request takes the connection,
    /// and never sends a cancel into that request's statements (they would fail for a client
    /// that is still there).
    @Test func aCancelLoopNeverReachesTheNextRequest() async throws {
        let canceller = GatedCanceller(open: true)
        let session = ConnectionSession()
        session.opened(canceller)
        let first = session.begin()
        let loopEnded = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            session.cancelWhileServing(request: first)
            loopEnded.signal()
        }
        try await eventually { canceller.calls >= 1 }
        #expect(session.end())
        _ = session.begin()
        let before = canceller.calls
        // The loop sees the next request within one retry interval and stops.
        #expect(await wait(for: loopEnded, seconds: Int(TestBounds.serverEvent.components.seconds)))
        #expect(canceller.calls == before)
        #expect(!session.end())
    }

    /// A cancel that takes long (the database is slow to answer it) holds up its own
    /// connection only: requests on the others are served meanwhile, although the requests
    /// waiting for their cancels outnumber the threads of Swift's cooperative pool.
    @Test func aSlowCancelHoldsUpOnlyItsOwnConnection() async throws {
        let fixture = try SCIMServerFixture(.sqlite)
        let directory = fixture.endpoint
        let canceller = GatedCanceller(open: false)
        let stuck = ProcessInfo.processInfo.activeProcessorCount + 1
        let pool = DirectoryPool(size: stuck + 1) {
            let target = try SQLTarget.open(directory)
            target.statementCanceller = canceller
            return target
        }
        // Should the pool wait on the cooperative pool after all, the test would hang: open
        // the gate once every wait below has had its bound, so that it fails instead.
        let watchdog = DispatchWorkItem { canceller.openGate() }
        DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(2 * Int(TestBounds.serverEvent.components.seconds)), execute: watchdog)
        defer { watchdog.cancel(); canceller.openGate() }

        let inBody = Counter()
        let leaveBody = DispatchSemaphore(value: 0)
        var leaving: [Task<Void, Never>] = []
        var channels: [NIOAsyncTestingChannel] = []
        for _ in 0..<stuck {
            let channel = NIOAsyncTestingChannel()
            try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1))
            channels.append(channel)
            leaving.append(
                Task {
                    _ = try? await ClientConnection.$channel.withValue(channel) {
                        try await pool.run { _ in
                            inBody.add()
                            leaveBody.wait()
                        }
                    }
                })
        }
        try await eventually { inBody.value == stuck }
        // The clients leave: each cancel blocks at the gate, holding its session.
        for channel in channels { ClientInput.markClosed(channel) }
        try await eventually { canceller.waiting == stuck }
        // The statements end; each request now waits for its cancel to be over.
        for _ in 0..<stuck { leaveBody.signal() }

        let answered = try await pool.run { _ in 42 }
        #expect(answered == 42)
        #expect(!canceller.gateOpened, "the request was served only once the cancels were over")

        canceller.openGate()
        for task in leaving { await task.value }
        for channel in channels { ClientInput.forget(channel) }
        #expect(pool.busyCount == 0)
    }

    private func wait(for semaphore: DispatchSemaphore, seconds: Int) async -> Bool {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: semaphore.wait(timeout: .now() + .seconds(seconds)) == .success)
            }
        }
    }

    /// Polls `condition` until it holds, for at most ``TestSupport/TestBounds/serverEvent``:
    /// every suite runs at once, and on two loaded cores a test may wait minutes for a thread.
    private func eventually(_ condition: () -> Bool) async throws {
        try #require(try await TestSupport.eventually(every: .milliseconds(10)) { condition() })
    }
}

private final class Counter: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func add() { count.withLock { $0 += 1 } }
}

/// Counts cancels; while its gate is shut, each cancel blocks until it opens (a database slow
/// to answer `KILL QUERY`).
private final class GatedCanceller: StatementCanceller {
    private struct State {
        var calls = 0
        var waiting = 0
        var open: Bool
    }

    private let state: Mutex<State>
    private let gate = DispatchGroup()

    init(open: Bool) {
        state = Mutex(State(open: open))
        if !open { gate.enter() }
    }

    var calls: Int { state.withLock { $0.calls } }
    var waiting: Int { state.withLock { $0.waiting } }
    var gateOpened: Bool { state.withLock { $0.open } }

    func openGate() {
        let wasShut = state.withLock { state in
            defer { state.open = true }
            return !state.open
        }
        if wasShut { gate.leave() }
    }

    func cancel() {
        let open = state.withLock { state in
            state.calls += 1
            if !state.open { state.waiting += 1 }
            return state.open
        }
        if !open { gate.wait() }
    }
}
