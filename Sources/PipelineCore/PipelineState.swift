/// What a pipeline is doing: `loading → streaming ⇄ reconciling → paused(reason) → retrying →
/// failed`. Shown by `status`, `/readyz` and `scimsync_pipeline_state`.
public enum PipelineState: Sendable, Hashable, CustomStringConvertible {
    /// Not started yet.
    case idle
    /// A first load, or a recovery (lost position, changes the source's log does not carry):
    /// a reconciliation from a consistent snapshot.
    case loading(LoadReason)
    /// Following the source's changes.
    case streaming
    /// A reconciliation pass runs beside the stream.
    case reconciling
    /// Held until a person acts; the reason says what to do.
    case paused(PauseReason)
    /// Something failed and is tried again after a wait.
    case retrying(RetryCause, attempt: Int)
    /// Stopped for good by an error retrying cannot fix.
    case failed(String)
    /// Stopped on request (SIGTERM) or because a bounded source ended.
    case stopped

    /// The state's one-word name (the `state` label of the metric, the first word of `status`).
    public var name: String {
        switch self {
        case .idle: "starting"
        // A scheduled full read is how such a source is followed: a pass, not a recovery.
        case .loading(.scheduled): "reconciling"
        case .loading: "loading"
        case .streaming: "streaming"
        case .reconciling: "reconciling"
        case .paused: "paused"
        case .retrying: "retrying"
        case .failed: "failed"
        case .stopped: "stopped"
        }
    }

    /// The name with its reason, as `status` prints it.
    public var description: String {
        switch self {
        case .idle, .streaming, .reconciling, .stopped: name
        case .loading(let reason): "\(name) (\(reason))"
        case .paused(let reason): "paused: \(reason)"
        case .retrying(let cause, let attempt): "retrying (attempt \(attempt)): \(cause)"
        case .failed(let reason): "failed: \(reason)"
        }
    }

    /// Whether the pipeline follows its source now: what `/readyz` asks of every pipeline.
    public var isReady: Bool {
        switch self {
        case .streaming, .reconciling, .loading(.scheduled): true
        case .idle, .loading, .paused, .retrying, .failed, .stopped: false
        }
    }
}

/// Why a pipeline (re)loads from a consistent snapshot.
public enum LoadReason: Sendable, Hashable, CustomStringConvertible {
    /// The offset store has no position: the first load.
    case firstLoad
    /// The source lost the stored position.
    case positionLost(String)
    /// Rows changed in a way the source's log does not carry (a TRUNCATE, a cascade).
    case resync(String)
    /// A source read in full on a schedule is due (``Connectors/SourceEvent/fullReadDue(reason:position:)``).
    case scheduled(String)

    public var description: String {
        switch self {
        case .firstLoad: "first load"
        case .positionLost(let reason): "the stored position is gone: \(reason)"
        case .resync(let reason), .scheduled(let reason): reason
        }
    }
}

/// Why a pipeline waits for a person.
public enum PauseReason: Sendable, Hashable, CustomStringConvertible {
    /// Removals beyond `reconcile.maxRemovals`; `scimsync approve` lets them through.
    case removals(String)
    /// The source's schema no longer fits the mapping; resumes by itself once it does.
    case mapping(String)

    public var description: String {
        switch self {
        case .removals(let reason), .mapping(let reason): reason
        }
    }
}

/// What failed and is being retried.
public enum RetryCause: Sendable, Hashable, CustomStringConvertible {
    case target(String)
    case source(String)
    /// A load or reconciliation pass, which reads the source and writes the target: the error
    /// says which of them failed.
    case load(String)

    public var description: String {
        switch self {
        case .target(let error): "target failed: \(error)"
        case .source(let error): "source failed: \(error)"
        case .load(let error): "the load failed: \(error)"
        }
    }
}
