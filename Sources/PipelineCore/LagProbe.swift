import Synchronization

/// How far behind the source the target is, readable from any thread (the metrics endpoint).
///
/// While a batch waits (the target is down, the pipeline is held) the lag grows with the
/// clock from that batch's commit time; once the pipeline caught up it is the last batch's lag.
public final class LagProbe: Sendable {
    private struct State {
        /// Commit time (seconds since 1970) of the oldest batch received and not yet applied.
        var pendingSince: Int64?
        var lastLag: Double = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// A batch committed by the source at `commitTime` is in hand.
    public func received(commitTime: Int64?) {
        guard let commitTime else { return }
        state.withLock { if $0.pendingSince == nil { $0.pendingSince = commitTime } }
    }

    /// That batch is applied, at wall-clock `now` (seconds since 1970).
    public func applied(commitTime: Int64?, now: Double) {
        state.withLock { state in
            state.pendingSince = nil
            if let commitTime { state.lastLag = max(0, now - Double(commitTime)) }
        }
    }

    /// The lag in seconds at wall-clock `now` (seconds since 1970).
    public func seconds(now: Double) -> Double {
        state.withLock { state in
            if let pending = state.pendingSince { return max(0, now - Double(pending)) }
            return state.lastLag
        }
    }
}
