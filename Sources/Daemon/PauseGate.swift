import Synchronization

/// Holds a pipeline's stream back while a refused reconciliation waits for approval.
final class PauseGate: Sendable {
    private let closed = Mutex(false)

    func close() { closed.withLock { $0 = true } }
    func open() { closed.withLock { $0 = false } }

    /// Returns once the gate is open (at once when it is); cancellation ends the wait.
    func pass() async throws {
        while closed.withLock({ $0 }) {
            try await Task.sleep(for: .milliseconds(200))
        }
    }
}
