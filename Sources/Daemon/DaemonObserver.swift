import Connectors
import Directory
import Logging
import OffsetStore
import PipelineCore
import SCIM
import Synchronization

/// What a running pipeline tells the operators: one log line per state change, the metrics,
/// and the state `/readyz` reports.
final class DaemonObserver: PipelineObserver {
    private let name: String
    private let states: PipelineStates
    private let metrics: PipelineMetrics
    private let logger: Logger
    /// Operations applied by kind, for the run log.
    private let applied = Mutex<[String: Int]>([:])
    /// Failed attempts to reopen the source's connection since it was last up.
    private let sourceAttempts = Mutex(0)

    private let store: OffsetStore

    init(name: String, states: PipelineStates, metrics: PipelineMetrics, logger: Logger, store: OffsetStore) {
        self.name = name
        self.states = states
        self.metrics = metrics
        self.logger = logger
        self.store = store
        metrics.setState(PipelineState.idle.name)
        report(.idle)
    }

    /// Writes the state where `scimsync status` reads it; a failure to write is logged, never
    /// a reason to stop the pipeline.
    private func report(_ state: PipelineState) {
        do {
            try store.report(state: state.name, detail: state.description, pipeline: name)
        } catch {
            logger.warning("cannot record the pipeline's state for `scimsync status`", metadata: ["error": "\(error)"])
        }
    }

    var counts: [String: Int] { applied.withLock { $0 } }

    /// Counts one more `kind` in the run log (a load).
    func count(_ kind: String) {
        applied.withLock { $0[kind, default: 0] += 1 }
    }

    func stateChanged(from old: PipelineState, to new: PipelineState) {
        states.set(name, new)
        metrics.setState(new.name)
        report(new)
        let metadata: Logger.Metadata = ["from": "\(old.name)", "to": "\(new.name)"]
        switch new {
        case .failed(let reason):
            logger.error("pipeline failed: \(LogText.safe(reason))", metadata: metadata)
        case .paused(let reason):
            // A refused pass or batch is an error to count, as operations.md says.
            metrics.errors.increment()
            logger.error("pipeline paused: \(LogText.safe(reason.description))", metadata: metadata)
        case .retrying:
            // Each failed attempt has its own line (attemptFailed).
            break
        case .streaming where old.name == "retrying":
            logger.notice("recovered; streaming again", metadata: metadata)
        case .loading(let reason):
            logger.info("loading from a consistent snapshot: \(LogText.safe(reason.description))", metadata: metadata)
        case .stopped:
            logger.info("pipeline stopped", metadata: metadata)
        case .idle, .streaming, .reconciling:
            logger.info("pipeline \(new.name)", metadata: metadata)
        }
    }

    /// The stream's connection to its source was lost and is being opened again (`reason`),
    /// or is back (nil). A following pipeline says `retrying` meanwhile (`/readyz` 503,
    /// `status`, the state metric), as it does when a batch fails, and each loss counts as an
    /// error.
    func sourceConnectionChanged(_ reason: String?) {
        if let reason {
            metrics.errors.increment()
            let attempt = sourceAttempts.withLock { count in
                count += 1
                return count
            }
            update { current in
                if current.isReady { return .retrying(.source(reason), attempt: attempt) }
                if case .retrying(.source, _) = current { return .retrying(.source(reason), attempt: attempt) }
                return nil
            }
        } else {
            sourceAttempts.withLock { $0 = 0 }
            let back = update { current in
                if case .retrying(.source, _) = current { return .streaming }
                return nil
            }
            if back { logger.notice("source connection back; streaming again") }
        }
    }

    /// A batch's write has waited for the target too long (`reason`), or was answered after
    /// all (nil). A following pipeline says `retrying` meanwhile, as for a failed batch, with a
    /// warning; the answer brings it back to `streaming`.
    func targetWaiting(_ reason: String?) {
        if let reason {
            metrics.errors.increment()
            logger.warning("\(LogText.safe(reason))")
            update { current in current == .streaming ? .retrying(.target(reason), attempt: 1) : nil }
        } else {
            let back = update { current in
                if case .retrying(.target, _) = current { return .streaming }
                return nil
            }
            if back { logger.notice("the target answered; streaming again") }
        }
    }

    /// Changes the state the daemon reports (`/readyz`, the metric, `status`) outside the
    /// runner's own transitions; false when `change` left it as it was.
    @discardableResult
    private func update(_ change: (PipelineState) -> PipelineState?) -> Bool {
        guard let new = states.update(name, change) else { return false }
        metrics.setState(new.name)
        report(new)
        return true
    }

    func attemptFailed(_ cause: RetryCause, attempt: Int, delay: Duration?) {
        metrics.errors.increment()
        metrics.retries.increment()
        logger.warning(
            "\(LogText.safe(cause.description)); retrying",
            metadata: ["attempt": "\(attempt)", "delay": "\(delay.map { "\($0)" } ?? "none")"])
    }

    func batchCommitted(_ batch: SourceBatch) {
        metrics.sourceChanges.increment(by: Int64(batch.rowCount))
        var kinds: [String: Int] = [:]
        for op in batch.ops { kinds[op.kindName, default: 0] += 1 }
        for (kind, count) in kinds { metrics.applied(kind).increment(by: Int64(count)) }
        applied.withLock { total in
            for (kind, count) in kinds { total[kind, default: 0] += count }
        }
    }

    func parkedChanged(parked: [ParkedOperation], unparked: Int, total: Int) {
        metrics.parked.set(Double(total))
        for operation in parked {
            logger.warning(
                "operation parked until the row it needs arrives: \(LogText.safe(operation.reason))",
                metadata: ["op": "\(operation.op.kindName)"])
        }
        if unparked > 0 {
            logger.info("parked operations applied", metadata: ["applied": "\(unparked)", "waiting": "\(total)"])
        }
    }

    func quarantined(_ resources: [QuarantinedResource]) {
        Self.say(resources, to: logger)
    }

    /// One error line per refused resource, its reason and id escaped; `origin` names what
    /// applied it when it is not the stream (`load`, `reconcile`).
    static func say(_ resources: [QuarantinedResource], to logger: Logger, origin: String? = nil) {
        for resource in resources {
            var metadata: Logger.Metadata = ["kind": "\(resource.kind)", "id": "\(LogText.safe(resource.id))"]
            if let origin { metadata["by"] = "\(origin)" }
            logger.error("row quarantined: \(LogText.safe(resource.reason))", metadata: metadata)
        }
    }
}
