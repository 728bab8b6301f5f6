import Connectors
import Directory

/// The stream of a platform read in full every `interval` (until its event callbacks are
/// received): nothing arrives between reads, and when a read is due the stream asks the
/// pipeline for one (`resyncNeeded`), which runs it as a reconciliation pass into the target.
/// A stream opened before this process read the platform (a restart) asks at once, so that
/// what changed while scimsync was down is found without waiting an interval.
public final class FullReadSchedule: ChangeSource {
    private let position: SourcePosition
    private let due: ContinuousClock.Instant
    private var stopped = false

    public init(position: SourcePosition, interval: Duration, readNow: Bool) {
        self.position = position
        due = readNow ? .now : .now + interval
    }

    public func next() async throws -> SourceEvent? {
        guard !stopped else { return nil }
        if due > .now { try await Task.sleep(until: due, clock: .continuous) }
        guard !stopped else { return nil }
        return .fullReadDue(reason: "the full read is due", position: position)
    }

    public func nextBuffered() async throws -> SourceEvent? { nil }
    public func acknowledge(_ position: SourcePosition) async {}
    public func stop() async { stopped = true }
}

/// The position of a platform read in full: when the read began, as fixed-width text
/// (`feishu:00001764800000`), so that later reads compare greater as text.
public enum FullReadPosition {
    public static func at(_ platform: String, secondsSince1970: Int64) -> SourcePosition {
        let digits = String(max(secondsSince1970, 0))
        return .token(platform + ":" + String(repeating: "0", count: max(0, 14 - digits.count)) + digits)
    }

    /// Whether `committed` is at or after `snapshot` (both positions of `platform`).
    public static func hasReached(_ committed: SourcePosition, _ snapshot: SourcePosition) -> Bool {
        guard case .token(let done) = committed, case .token(let wanted) = snapshot else { return false }
        return done >= wanted
    }
}
