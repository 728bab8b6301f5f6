import Synchronization

/// Pipelines an `OffsetStore` instance knows to have no row in one of its tables (parked
/// operations, quarantine): the stream asks before or after every batch, and reading an empty
/// table was a tenth of a millisecond on its path. Only the process holding the store's writer
/// lock adds rows, through this instance (``added(_:)`` forgets the pipeline); other processes
/// only remove them, which keeps "none" true. Additions are counted, so that a read that began
/// before one does not note "none" after it.
final class KnownEmpty: Sendable {
    private let state = Mutex<(pipelines: Set<String>, additions: Int)>(([], 0))

    /// Nil when `pipeline` is known to have none; otherwise a token for ``foundEmpty(_:since:)``.
    func readToken(_ pipeline: String) -> Int? {
        state.withLock { $0.pipelines.contains(pipeline) ? nil : $0.additions }
    }

    /// A read that began at `token` found none for `pipeline`: remembered unless something was
    /// added since.
    func foundEmpty(_ pipeline: String, since token: Int) {
        state.withLock { state in
            if state.additions == token { state.pipelines.insert(pipeline) }
        }
    }

    /// A row was (or may have been) added for `pipeline`.
    func added(_ pipeline: String) {
        state.withLock { state in
            state.additions += 1
            state.pipelines.remove(pipeline)
        }
    }
}
