import Synchronization

/// Says when a batch's write has waited for the target longer than `after` (a frozen or
/// locked database, a provider's retries lasting minutes), and when it is answered after all:
/// without it the pipeline reads as "streaming" while nothing moves. One task looks a few
/// times per `after`, so that a write costs two short locks, not a task of its own: thousands
/// of batches a second go through here.
final class ApplyWatch: Sendable {
    private struct Write {
        var started: ContinuousClock.Instant
        var operations: Int
        var told = false
    }

    let after: Duration
    private let told: @Sendable (String?) -> Void
    private let write = Mutex<Write?>(nil)

    init(after: Duration, told: @escaping @Sendable (String?) -> Void) {
        self.after = after
        self.told = told
    }

    /// A write of `operations` operations starts.
    func started(operations: Int) {
        write.withLock { $0 = Write(started: .now, operations: operations) }
    }

    /// The write ended; `answered` when the target applied it (a failure says itself, as the
    /// error and the retrying state that follows).
    func finished(answered: Bool) {
        let wasTold = write.withLock { write in
            defer { write = nil }
            return write?.told ?? false
        }
        if wasTold, answered { told(nil) }
    }

    /// Tells once when the write in progress has waited `after`.
    func look(now: ContinuousClock.Instant = .now) {
        let reason: String? = write.withLock { write in
            guard var current = write, !current.told, now - current.started >= after else { return nil }
            current.told = true
            write = current
            return "the target has not finished writing a batch of \(current.operations) operations for \(after) "
                + "(a frozen or locked database, or a provider's retries: see the log); still waiting"
        }
        if let reason { told(reason) }
    }

    /// Looks until cancelled.
    func watch() async {
        let interval = min(after / 4, .seconds(1))
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            look()
        }
    }
}
