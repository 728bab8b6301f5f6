import Directory
import Dispatch
import Foundation
import HTTPLimits
import NIOCore
import SQLClients
import Synchronization
import Targets

/// The SQL directory behind the server: a few connections, each confined to a queue of its
/// own (blocking C calls never run on Swift's cooperative pool).
///
/// A request takes whichever connection is free, and waits first in, first out when none is:
/// one queue for all connections keeps a request from waiting behind a slow one while another
/// connection idles, which is what the latency tail under load is made of. A connection that
/// fails is reopened on its next use (``QueueConfined``).
///
/// A request whose client leaves does no more work than it must: one still waiting for a
/// connection is dropped, and one whose statement is running has it stopped (MariaDB's
/// `KILL QUERY`, PostgreSQL's cancel request, SQLite's interrupt, SQL Server's attention),
/// which rolls its write back.
public final class DirectoryPool: Sendable {
    private struct State {
        var free: [Int]
        /// Each waiting request with its client's connection (nil outside a request).
        var waiting: [(continuation: CheckedContinuation<Int, Never>, channel: (any Channel)?)] = []
        var firstWaiting = 0
    }

    private let members: [QueueConfined<SQLTarget>]
    private let sessions: [ConnectionSession]
    private let state: Mutex<State>

    /// - Parameter open: makes one connection's target; called again after a failure. The
    ///   pool's targets fill a NOT NULL column's DEFAULT in where a write leaves it empty
    ///   (``Targets/SQLTarget/fillsColumnDefaults``), as the server's writes expect.
    public init(size: Int, open: @escaping @Sendable () throws -> SQLTarget) {
        let count = max(size, 1)
        let sessions = (0..<count).map { _ in ConnectionSession() }
        self.sessions = sessions
        members = (0..<count).map { index in
            QueueConfined(label: "scimsync.scim.db.\(index)") {
                let target = try open()
                target.fillsColumnDefaults = true
                sessions[index].opened(target.statementCanceller)
                return target
            }
        }
        state = Mutex(State(free: Array((0..<count).reversed())))
    }

    /// Runs `body` with a free connection's target on that connection's queue.
    ///
    /// - Parameter evenIfTheClientLeft: run `body` whole whether or not the client is still
    ///   there: the read-back of a write that committed, whose answer must say so (a client
    ///   that closed its side after sending its request may still read it), never that the
    ///   request was not served.
    /// - Throws: `ClientGone`, without running `body`, when the request's client closed its
    ///   connection before a database connection was free for it.
    public func run<T: Sendable>(
        evenIfTheClientLeft: Bool = false, _ body: @escaping @Sendable (SQLTarget) throws -> T
    ) async throws -> T {
        guard evenIfTheClientLeft || ClientConnection.isOpen else { throw ClientGone() }
        let index = await acquire()
        guard evenIfTheClientLeft || ClientConnection.isOpen else {
            release(index)
            throw ClientGone()
        }
        let session = sessions[index]
        let request = session.begin()
        let channel = evenIfTheClientLeft ? nil : ClientConnection.channel
        var watch: UInt64?
        if let channel {
            watch = ClientInput.whenClientLeaves(channel) {
                // On the event loop, which must not block: the cancel waits for the server and
                // sleeps between its attempts, on a thread of its own (a sleeping worker of
                // Dispatch's global queue is one fewer for everything else).
                Thread.detachNewThread { session.cancelWhileServing(request: request) }
            }
            if watch == nil {
                // No cancel was begun for this request: ending it does not wait.
                _ = session.end()
                release(index)
                throw ClientGone()
            }
        }
        // The session ends on the connection's queue: `end()` waits for a cancel being sent,
        // and a wait on Swift's cooperative pool (two threads on two cores) would stall every
        // other request behind it.
        let outcome: Result<T, any Error>
        let cancelled: Bool
        do {
            (outcome, cancelled) = try await members[index].run { target in
                let outcome = Result { try body(target) }
                return (outcome, session.end())
            }
        } catch {
            // The connection could not be opened, so `body` did not run.
            outcome = .failure(error)
            cancelled = await withCheckedContinuation { continuation in
                DispatchQueue.global().async { continuation.resume(returning: session.end()) }
            }
        }
        if let channel, let watch { ClientInput.stopWatching(channel, token: watch) }
        release(index)
        // A statement that ended before the cancel reached it keeps its outcome.
        if cancelled, case .failure = outcome { throw ClientGone(statementStopped: true) }
        return try outcome.get()
    }

    /// How many connections serve a request now.
    var busyCount: Int {
        members.count - state.withLock { $0.free.count }
    }

    /// How many requests wait for a connection.
    var waitingCount: Int {
        state.withLock { $0.waiting.count - $0.firstWaiting }
    }

    /// How many requests wait for a connection although their client left (for tests: they
    /// will not run once a connection is theirs).
    var waitingForGoneClients: Int {
        state.withLock { state in
            state.waiting[state.firstWaiting...].count { waiter in
                waiter.channel.map { !$0.isActive || ClientInput.isClosed($0) } ?? false
            }
        }
    }

    private func acquire() async -> Int {
        if let index = state.withLock({ $0.free.popLast() }) { return index }
        let channel = ClientConnection.channel
        return await withCheckedContinuation { continuation in
            let index = state.withLock { state -> Int? in
                // A connection may have come free since the first look.
                if let index = state.free.popLast() { return index }
                state.waiting.append((continuation, channel))
                return nil
            }
            if let index { continuation.resume(returning: index) }
        }
    }

    private func release(_ index: Int) {
        let next = state.withLock { state -> CheckedContinuation<Int, Never>? in
            guard state.firstWaiting < state.waiting.count else {
                state.free.append(index)
                return nil
            }
            let continuation = state.waiting[state.firstWaiting].continuation
            state.firstWaiting += 1
            if state.firstWaiting == state.waiting.count {
                state.waiting.removeAll(keepingCapacity: true)
                state.firstWaiting = 0
            } else if state.firstWaiting > 1024 {
                state.waiting.removeFirst(state.firstWaiting)
                state.firstWaiting = 0
            }
            return continuation
        }
        next?.resume(returning: index)
    }
}
