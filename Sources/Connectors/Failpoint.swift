import Foundation
import Synchronization

/// A crash point for the crash-safety tests: with its environment variable set to N, the
/// process SIGKILLs itself the N-th time it passes the point, so a test can be sure to kill it
/// at that moment, whatever the machine's speed. Without the variable, passing costs a load.
public final class Failpoint: Sendable {
    private let killAt: Int?
    private let passes = Mutex(0)

    init(_ variable: String) {
        killAt = ProcessInfo.processInfo.environment[variable].flatMap { Int($0) }
    }

    /// Counts a pass (from any thread).
    public func passed() {
        guard let killAt else { return }
        if passes.withLock({ $0 += 1; return $0 }) >= killAt { kill(getpid(), SIGKILL) }
    }

    /// After a load's target batch (`SCIMSYNC_FAILPOINT_KILL_AFTER_LOAD_CHUNKS`): in the middle
    /// of a first load.
    public static let loadBatchApplied = Failpoint("SCIMSYNC_FAILPOINT_KILL_AFTER_LOAD_CHUNKS")

    /// After the target applied a streamed batch that changes something, before its position
    /// is stored (`SCIMSYNC_FAILPOINT_KILL_AFTER_STREAM_BATCHES`): the moment a restart must
    /// neither lose nor duplicate.
    public static let streamBatchApplied = Failpoint("SCIMSYNC_FAILPOINT_KILL_AFTER_STREAM_BATCHES")
}
