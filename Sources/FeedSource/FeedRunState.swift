/// Where a run of a feed is in its life.
///
/// ```
/// uploading ──▶ ready ──▶ running ──▶ complete
///     │           │          └──────▶ failure
///     └───────────┴──▶ cancelled / failure
/// ```
///
/// `complete`, `cancelled` and `failure` are final. Only `running` may be interrupted by a
/// crash: a run found `running` when the store opens is resumed, never started again.
public enum FeedRunState: String, Sendable, Hashable, CaseIterable {
    /// Files are arriving.
    case uploading
    /// Every file is in and was read; the run waits to be applied (by itself when the safety
    /// rule allows, else for a person).
    case ready
    /// Its operations are being applied to the target.
    case running
    case complete
    case cancelled
    /// The upload could not be read, or applying it failed.
    case failure

    /// Whether nothing more can happen to the run.
    public var isFinal: Bool {
        switch self {
        case .complete, .cancelled, .failure: true
        case .uploading, .ready, .running: false
        }
    }
}

/// What happens to a run: each event is legal in some states only.
public enum FeedRunEvent: String, Sendable, Hashable, CaseIterable {
    /// Every file has arrived and was read.
    case uploaded
    /// Applying starts (by the safety rule, or approved by a person).
    case start
    /// Every operation was applied.
    case finish
    /// A person or the program gives up on the run before it applies.
    case cancel
    /// The upload could not be read, or applying failed for good.
    case fail
}

/// An event that is not legal in the run's state.
public struct IllegalRunTransition: Error, Sendable, Hashable, CustomStringConvertible {
    public var run: Int64?
    public var state: FeedRunState
    public var event: FeedRunEvent

    public init(run: Int64? = nil, state: FeedRunState, event: FeedRunEvent) {
        self.run = run
        self.state = state
        self.event = event
    }

    public var description: String {
        let subject = run.map { "run \($0)" } ?? "a run"
        let allowed = FeedRunEvent.allCases.filter { (try? state.after($0)) != nil }.map(\.verb)
        let adjective = state == .failure ? "failed" : state.rawValue
        let hint = allowed.isEmpty ? "a \(adjective) run is final" : "a \(adjective) run can \(allowed.joined(separator: ", "))"
        return "\(subject) \(state == .failure ? "has failed" : "is \(adjective)") and cannot \(event.verb); \(hint)"
    }
}

extension FeedRunEvent {
    /// What a run does on the event, after "cannot" or "can".
    var verb: String {
        switch self {
        case .uploaded: "take more files"
        case .start: "start"
        case .finish: "finish"
        case .cancel: "be cancelled"
        case .fail: "fail"
        }
    }
}

extension FeedRunState {
    /// The state after `event`.
    /// - Throws: ``IllegalRunTransition`` when `event` is not legal now.
    public func after(_ event: FeedRunEvent) throws(IllegalRunTransition) -> FeedRunState {
        switch (self, event) {
        case (.uploading, .uploaded): return .ready
        case (.uploading, .cancel), (.ready, .cancel): return .cancelled
        case (.uploading, .fail), (.ready, .fail), (.running, .fail): return .failure
        case (.ready, .start): return .running
        case (.running, .finish): return .complete
        // A running run has written part of its operations to the target: cancelling it would
        // leave the target half-changed, so it can only finish or fail.
        case (.running, .cancel),
            (.uploading, .start), (.uploading, .finish),
            (.ready, .uploaded), (.ready, .finish),
            (.running, .uploaded), (.running, .start),
            (.complete, _), (.cancelled, _), (.failure, _):
            throw IllegalRunTransition(state: self, event: event)
        }
    }
}
