import Foundation
import Synchronization

/// Lets one write of a userName in this process at a time check and write.
///
/// RFC 7643 §4.1.1 makes `userName` unique, and the check is a read before the write: two
/// writes of one name that each read before the other commits would both pass. The tables
/// `init-target` makes on MariaDB/MySQL and PostgreSQL have no UNIQUE constraint to stop the
/// second (the comparison ignores case in every script, which their indexes cannot express),
/// so the writes that may set a name (a user's POST, PUT and a PATCH naming `userName`) take
/// this lock before their transaction begins and keep it to its commit. Before the
/// transaction, not within it: under MariaDB's REPEATABLE READ a transaction reads the
/// snapshot of its first read, and a check in a snapshot taken before the other write's
/// commit would not see it.
///
/// Keyed by the name folded as loosely as any database's check compares (case and accents):
/// writes of different names
/// never wait for each other (one waiting for a database connection must not hold up the
/// rest). First come, first served; it does not reach other processes (docs/scim.md says what
/// holds with several).
final class UserNameLock: Sendable {
    private struct State {
        var held: Set<String> = []
        var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]
    }

    private let state = Mutex(State())

    /// Runs `body` holding the lock of every name in `names` (taken in order, so that two
    /// writes naming the same two names cannot each hold one and wait for the other).
    func run<T>(_ names: [String], _ body: () async throws -> T) async throws -> T {
        let keys = Set(names.map { $0.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil) }).sorted()
        for key in keys { await acquire(key) }
        defer { for key in keys { release(key) } }
        return try await body()
    }

    private func acquire(_ key: String) async {
        let free = state.withLock { state in state.held.insert(key).inserted }
        if free { return }
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Bool in
                // Released since the first look.
                if state.held.insert(key).inserted { return true }
                state.waiting[key, default: []].append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    private func release(_ key: String) {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard var queue = state.waiting[key], !queue.isEmpty else {
                state.held.remove(key)
                state.waiting[key] = nil
                return nil
            }
            // Handed straight to the next waiter: the key stays held.
            let next = queue.removeFirst()
            state.waiting[key] = queue.isEmpty ? nil : queue
            return next
        }
        next?.resume()
    }
}
