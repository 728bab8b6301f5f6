import Synchronization

/// What each pipeline is doing, for `/readyz` and the metrics; shared by the pipelines (which
/// write) and the admin server (which reads).
public final class PipelineStates: Sendable {
    public enum State: Sendable, Hashable, CustomStringConvertible {
        case starting
        case loading
        case streaming
        /// The target failed; waiting to retry the batch.
        case retrying
        /// Stopped for good (the reason is in the log and the run log).
        case failed
        /// Held by a refused reconciliation until `scimsync approve` (the reason is in `status`).
        case paused

        public var description: String {
            switch self {
            case .starting: "starting"
            case .loading: "loading"
            case .streaming: "streaming"
            case .retrying: "retrying"
            case .failed: "failed"
            case .paused: "paused"
            }
        }
    }

    private let states: Mutex<[String: State]>

    public init(pipelines: [String]) {
        states = Mutex(Dictionary(uniqueKeysWithValues: pipelines.map { ($0, State.starting) }))
    }

    public func set(_ pipeline: String, _ state: State) {
        states.withLock { $0[pipeline] = state }
    }

    public var all: [String: State] { states.withLock { $0 } }

    /// Every pipeline streaming: what `/readyz` means.
    public var allStreaming: Bool { states.withLock { $0.values.allSatisfy { $0 == .streaming } } }
}
