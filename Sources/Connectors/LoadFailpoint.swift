import Foundation
import Synchronization

/// A crash point for the crash-safety tests: with `SCIMSYNC_FAILPOINT_KILL_AFTER_LOAD_CHUNKS=N`
/// in the environment the process SIGKILLs itself after the load's N-th target batch, so a
/// test can be sure to kill it in the middle of a first load, whatever the machine's speed.
public enum LoadFailpoint {
    private static let killAfterChunks: Int? = ProcessInfo.processInfo
        .environment["SCIMSYNC_FAILPOINT_KILL_AFTER_LOAD_CHUNKS"].flatMap { Int($0) }
    private static let applied = Mutex(0)

    /// Counts a load batch (from any of the load's threads).
    public static func batchApplied() {
        guard let killAfterChunks else { return }
        if applied.withLock({ $0 += 1; return $0 }) >= killAfterChunks { kill(getpid(), SIGKILL) }
    }
}
