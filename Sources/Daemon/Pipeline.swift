import Config
import Connectors
import Directory
import Foundation
import Logging
import OffsetStore
import PipelineCore

/// One pipeline at work: the composition of a source kind, a target and the offset store,
/// run by ``PipelineCore/PipelineRunner`` (the lifecycle: first load from a consistent
/// snapshot when the offset store has no position, then streaming; each batch's position
/// committed only after the target committed it; retries with backoff; holds; parked and
/// quarantined operations). Cancelling the task stops reading after the batch in flight is
/// committed.
public final class Pipeline: Sendable {
    public let configuration: PipelineConfig
    let store: OffsetStore
    /// The source kinds this build reads.
    let sources: SourceRegistry
    /// The target kinds this build writes.
    let targets: TargetRegistry
    private let retry: Backoff
    let logger: Logger
    let states: PipelineStates
    let metrics: PipelineMetrics
    private let timing: PipelineRunner<ContinuousClock>.Timing
    /// Whether journal records keep the values written (`journal.values`).
    let journalValues: Bool
    /// Where the source registers its event-callback receiver, if its kind has one.
    let callbacks: CallbackHub?
    /// What the stream changes while a reconciliation runs alongside it.
    let dirty = StreamDirtySet()
    /// Closed while a refused reconciliation waits for approval.
    let gate = PauseGate()
    /// How long a load may read and write nothing before the log says it is stuck.
    let loadQuiet: Duration

    /// - Parameters:
    ///   - sources: the source kinds this build reads.
    ///   - targets: the target kinds this build writes.
    ///   - states: where the pipeline reports what it is doing (for `/readyz`).
    ///   - metrics: where it counts what it does (for `/metrics`).
    ///   - loadQuiet: how long a load may read and write nothing before the log says so.
    public init(
        configuration: PipelineConfig, store: OffsetStore, sources: SourceRegistry, targets: TargetRegistry,
        retry: Backoff = Backoff(), groupCommit: GroupCommit = GroupCommit(), states: PipelineStates? = nil,
        metrics: DaemonMetrics = DaemonMetrics(), logger: Logger = Logger(label: "scimsync.pipeline"),
        journalValues: Bool = false, callbacks: CallbackHub? = nil, loadQuiet: Duration = .seconds(60)
    ) {
        self.journalValues = journalValues
        self.loadQuiet = loadQuiet
        self.callbacks = callbacks
        self.configuration = configuration
        self.store = store
        self.sources = sources
        self.targets = targets
        self.retry = retry
        var timing = PipelineRunner<ContinuousClock>.Timing()
        timing.groupCommit = groupCommit
        self.timing = timing
        self.states = states ?? PipelineStates(pipelines: [configuration.name])
        self.metrics = metrics.pipeline(configuration.name)
        var logger = logger
        logger[metadataKey: "pipeline"] = "\(configuration.name)"
        self.logger = logger
    }

    /// Runs until cancelled (returns normally) or until an error retrying cannot fix (throws:
    /// an undecodable event, a source that refuses the login, retries used up).
    public func run() async throws {
        let name = configuration.name
        let targetConnector = try targets.connector(for: configuration, store: store, logger: logger)
        let source = try sources.connector(
            for: configuration, store: store, logger: logger,
            targetReader: { try await targetConnector.openReconcileReader() }, callbacks: callbacks)
        // The stream and a reconciliation running beside it apply through one shared target.
        let target = SharedTarget(try targetConnector.openTarget(), gate: gate, dirty: dirty)
        let runID: Int64
        do {
            runID = try store.startRun(pipeline: name)
        } catch {
            // Said as a failure of the runner is (the service starts the pipeline again after
            // a wait when the store cannot be written): the error counted, the state failed.
            states.set(name, .failed("\(error)"))
            metrics.setState("failed")
            metrics.errors.increment()
            throw error
        }
        let observer = DaemonObserver(name: name, states: states, metrics: metrics, logger: logger, store: store)
        let log = StoreOffsetLog(store: store, pipeline: name, journalValues: journalValues)
        let digests = ConfigurationDigests.of(configuration)
        let resyncAtStart = try configurationChange(digests)
        // Periodic reconciliation runs beside the stream, from the stream's first position on.
        let periodic = Task { [self] in
            while try store.position(pipeline: name) == nil { try await Task.sleep(for: .seconds(1)) }
            await reconcilePeriodically(source: source, target: targetConnector, applyingThrough: target)
        }
        defer { periodic.cancel() }
        let connectors = PipelineRunner<ContinuousClock>.Connectors(
            openSource: { try await source.openStream(from: $0, connectionChanged: observer.sourceConnectionChanged) },
            load: { [self] _ in
                let outcome = try await loadOnce(source: source, target: targetConnector, applyingThrough: target)
                if case .loaded = outcome {
                    observer.count("load")
                    // The target matches the source under this configuration now.
                    try store.setConfigurationDigests(digests, pipeline: name)
                }
                return outcome
            },
            mappingProblem: { try await source.mappingProblem() })
        let runner = PipelineRunner(
            connectors: connectors, target: target, log: log,
            removalLimit: configuration.reconcile.maxRemovals.guardLimit, backoff: retry, clock: ContinuousClock(),
            timing: timing, observer: observer, wallClock: { Date().timeIntervalSince1970 }, journalValues: journalValues,
            resyncAtStart: resyncAtStart, leavesForeignRows: !configuration.adopt)
        // The lag and the parked and quarantined counts, read once a second: the lag grows while
        // a batch waits (an outage, a hold), and reads 0 only when the target is caught up.
        let (lag, metrics) = (runner.lag, self.metrics)
        let gauges = Task {
            while !Task.isCancelled {
                metrics.lag.set(lag.seconds(now: Date().timeIntervalSince1970))
                if let counts = try? log.counts {
                    metrics.parked.set(Double(counts.parked))
                    metrics.quarantined.set(Double(counts.quarantined))
                }
                try await Task.sleep(for: .seconds(1))
            }
        }
        defer { gauges.cancel() }
        do {
            try await runner.run()
            try store.finishRun(runID, ops: observer.counts, error: nil)
        } catch {
            states.set(name, .failed("\(error)"))
            try? store.report(state: "failed", detail: "failed: \(error)", pipeline: name)
            metrics.errors.increment()
            try? store.finishRun(runID, ops: observer.counts, error: "\(error)")
            throw error
        }
    }
}

extension ResourceOp {
    /// The name counted in the run log and metrics.
    var kindName: String {
        switch self {
        case .create: "create"
        case .patch: "patch"
        case .delete: "delete"
        case .deactivate: "deactivate"
        case .reactivate: "reactivate"
        case .addMember: "addMember"
        case .removeMember: "removeMember"
        case .moveParent: "moveParent"
        }
    }
}

extension RemovalLimit {
    /// The limit as the stream's removal guard takes it.
    var guardLimit: RemovalGuard.Limit {
        switch self {
        case .percent(let percent): .percent(percent)
        case .count(let count): .count(count)
        }
    }
}

extension Pipeline {
    /// Why the stored position must wait for a reconciliation: the parts of the configuration
    /// that changed since the target last matched the source. A store written by a version
    /// that kept no digests takes the configuration as it is.
    fileprivate func configurationChange(_ digests: [String: String]) throws -> String? {
        let name = configuration.name
        guard try store.position(pipeline: name) != nil else { return nil }
        guard let stored = try store.configurationDigests(pipeline: name) else {
            try store.setConfigurationDigests(digests, pipeline: name)
            return nil
        }
        let changed = ConfigurationDigests.changed(stored: stored, current: digests)
        guard !changed.isEmpty else { return nil }
        let reason =
            "the configuration changed since the target last matched the source (\(changed.joined(separator: ", "))): "
            + "reconciling before streaming on"
        logger.notice("\(reason)")
        return reason
    }
}
