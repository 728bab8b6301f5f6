import Foundation

/// A second target connection for the first load, on a thread of its own: the load hands it
/// every other batch and applies the rest itself, so the target works on two transactions at
/// once (one connection keeps the target's server busy on one core at most).
///
/// Foreign keys hold at every commit as long as the batches in flight at the same time
/// reference only rows committed before: the load calls ``drain()`` at the end of each table
/// pass (groups, parents, users, memberships), so a batch never needs a row of a batch still
/// in flight on the other connection.
///
/// The worker's target is opened and used on the worker thread only, and batches are values;
/// the state below is touched under `condition` only: that is what the unchecked `Sendable`
/// rests on.
final class ParallelApplier: @unchecked Sendable {
    /// A batch: what applies it through the worker's target.
    typealias Work = @Sendable (SQLTarget) throws -> Void

    private let condition = NSCondition()
    /// The batch handed over, not yet taken by the worker.
    private var pending: Work?
    private var busy = false
    /// The worker's first failure; every later call rethrows it.
    private var failure: (any Error)?
    private var stopping = false
    private var finished = false

    /// - Parameter open: connects the worker's own target (on the worker thread, at its first
    ///   batch).
    init(open: @escaping @Sendable () throws -> SQLTarget) {
        let thread = Thread { [self] in
            var target: (SQLTarget)?
            defer {
                condition.lock()
                finished = true
                condition.broadcast()
                condition.unlock()
            }
            while true {
                condition.lock()
                while pending == nil && !stopping { condition.wait() }
                guard let work = pending, failure == nil else {
                    condition.unlock()
                    return
                }
                pending = nil
                busy = true
                condition.unlock()
                let result = Result {
                    let opened = try target ?? open()
                    target = opened
                    try work(opened)
                }
                if case .failure = result { target = nil }
                condition.lock()
                busy = false
                if case .failure(let error) = result { failure = error }
                condition.broadcast()
                condition.unlock()
            }
        }
        thread.name = "scimsync.initial-load.apply"
        thread.start()
    }

    /// Hands a batch to the worker once it has finished the previous one; rethrows the
    /// worker's failure.
    func submit(_ work: @escaping Work) throws {
        condition.lock()
        defer { condition.unlock() }
        while (pending != nil || busy) && failure == nil { condition.wait() }
        if let failure { throw failure }
        pending = work
        condition.broadcast()
    }

    /// Waits until the worker has applied everything handed over; rethrows its failure.
    func drain() throws {
        condition.lock()
        defer { condition.unlock() }
        while (pending != nil || busy) && failure == nil { condition.wait() }
        if let failure { throw failure }
    }

    /// Ends the worker (after the batch in flight, if any), which closes its target. Called
    /// on every way out of the load.
    func stop() {
        condition.lock()
        stopping = true
        pending = nil
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }
}
