import Synchronization

/// Each layout table's minimum valid version as the last poll read it, kept by the connector
/// for every stream it opens (one after a lost connection too). Change tracking's own test,
/// "if last_sync_version is less than the minimum valid version, the client must
/// reinitialize" (CHANGE_TRACKING_MIN_VALID_VERSION docs), misses a table truncated, or its
/// tracking switched off and on, while the pipeline is caught up: the minimum becomes the
/// current version, which is the pipeline's own, not newer. A minimum that moved since the
/// last poll to the pipeline's version or past it is such a restart of the table's history.
final class TrackedMinimums: Sendable {
    private let seen = Mutex<[String: Int64]>([:])

    /// Each table's minimum as last seen.
    var previous: [String: Int64] {
        seen.withLock { $0 }
    }

    /// Keeps what a poll read.
    func record(_ minimums: [String: Int64]) {
        seen.withLock { $0.merge(minimums) { _, new in new } }
    }

    /// Forgets everything: after a load, whose snapshot is a new start.
    func reset() {
        seen.withLock { $0.removeAll() }
    }
}
