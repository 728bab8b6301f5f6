import Foundation
import Synchronization

/// A crash point for the crash-safety tests: with `SCIMSYNC_FAILPOINT_KILL_AFTER_STREAM_BATCHES=N`
/// in the environment the process SIGKILLs itself once the target has applied the N-th
/// streamed batch that changes something, before that batch's position is stored: the
/// moment a restart must neither lose nor duplicate, whatever the machine's speed.
public enum StreamFailpoint {
    private static let killAfterBatches: Int? = ProcessInfo.processInfo
        .environment["SCIMSYNC_FAILPOINT_KILL_AFTER_STREAM_BATCHES"].flatMap { Int($0) }
    private static let applied = Mutex(0)

    /// Counts a streamed batch the target applied.
    public static func batchApplied() {
        guard let killAfterBatches else { return }
        if applied.withLock({ $0 += 1; return $0 }) >= killAfterBatches { kill(getpid(), SIGKILL) }
    }
}
