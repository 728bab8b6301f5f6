import Synchronization

/// Lets one userName write of this process at a time check and write.
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
/// First come, first served; it does not reach other processes (docs/scim.md says what
/// holds with several).
final class UserNameLock: Sendable {
    private struct State {
        var held = false
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    /// Runs `body` holding the lock.
    func run<T>(_ body: () async throws -> T) async throws -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        let free = state.withLock { state -> Bool in
            guard state.held else {
                state.held = true
                return true
            }
            return false
        }
        if free { return }
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Bool in
                // Released since the first look.
                guard state.held else {
                    state.held = true
                    return true
                }
                state.waiting.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.waiting.isEmpty else {
                state.held = false
                return nil
            }
            // Handed straight to the next waiter: `held` stays true.
            return state.waiting.removeFirst()
        }
        next?.resume()
    }
}
