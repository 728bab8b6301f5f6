import PipelineCore
import Synchronization

/// What each pipeline is doing, for `/readyz` and the metrics; shared by the pipelines (which
/// write) and the admin server (which reads).
public final class PipelineStates: Sendable {
    private let states: Mutex<[String: PipelineState]>

    public init(pipelines: [String]) {
        states = Mutex(Dictionary(uniqueKeysWithValues: pipelines.map { ($0, PipelineState.idle) }))
    }

    public func set(_ pipeline: String, _ state: PipelineState) {
        states.withLock { $0[pipeline] = state }
    }

    /// Sets `state` only if the pipeline is in `expected` (a pass beside the stream marks
    /// `reconciling` without hiding a failure the stream reported meanwhile).
    public func replace(_ pipeline: String, _ expected: PipelineState, with state: PipelineState) {
        states.withLock { if $0[pipeline] == expected { $0[pipeline] = state } }
    }

    /// Sets the state `change` makes of the pipeline's present one, when it makes one; returns
    /// it.
    @discardableResult
    public func update(_ pipeline: String, _ change: (PipelineState) -> PipelineState?) -> PipelineState? {
        states.withLock { states in
            guard let current = states[pipeline], let new = change(current) else { return nil }
            states[pipeline] = new
            return new
        }
    }

    public var all: [String: PipelineState] { states.withLock { $0 } }

    /// Every pipeline following its source: what `/readyz` means.
    public var allReady: Bool { states.withLock { $0.values.allSatisfy(\.isReady) } }
}
