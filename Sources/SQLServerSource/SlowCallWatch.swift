/// Says when a call has waited longer than it should, and when it answers after all: a poll
/// of a server that stopped answering without closing its connection waits for its query
/// timeout, and meanwhile the pipeline would read as "streaming" with no lag.
struct SlowCallWatch: Sendable {
    let after: Duration
    /// Told the reason once the call has waited `after`, and nil if it then answers; nil
    /// watches nothing.
    let told: (@Sendable (String?) -> Void)?
    let reason: @Sendable (Duration) -> String

    init(after: Duration, told: (@Sendable (String?) -> Void)?, reason: @escaping @Sendable (Duration) -> String) {
        self.after = after
        self.told = told
        self.reason = reason
    }

    /// `body`'s result, watched.
    func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        guard let told else { return try await body() }
        let (after, reason) = (self.after, self.reason)
        let watchdog = Task {
            try await Task.sleep(for: after)
            told(reason(after))
        }
        do {
            let value = try await body()
            watchdog.cancel()
            // Told, then answered: that is news too. (A failure says itself, as the error.)
            if (try? await watchdog.value) != nil { told(nil) }
            return value
        } catch {
            watchdog.cancel()
            throw error
        }
    }
}
