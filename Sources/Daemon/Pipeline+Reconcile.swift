import Config
import Connectors
import Directory
import Foundation
import Logging
import OffsetStore
import PipelineCore
import Reconcile
import Synchronization

extension Pipeline {
    /// The first load, and the recovery from a lost position or from changes the source's log
    /// does not carry: a reconciliation pass from a new consistent snapshot, then the
    /// snapshot's position committed: streaming resumes there. Into an empty target, where a
    /// pass could only create, the dedicated load path does the same faster when the source
    /// kind offers one. A pass the safety limits refuse applies nothing and says so (the
    /// runner holds the pipeline until approved, then loads again: the approved pass goes
    /// through).
    func loadOnce(
        source: any SourceConnector, target: any TargetConnector, applyingThrough shared: SharedTarget
    ) async throws -> LoadOutcome {
        let (name, store) = (configuration.name, self.store)
        let log = StoreOffsetLog(store: store, pipeline: name, journalValues: journalValues, logger: logger)
        let watch = LoadWatch(quietAfter: loadQuiet)
        let watching = Task { [logger, metrics] in await watch.watch(logger: logger, errors: metrics.errors) }
        defer { watching.cancel() }
        if try await target.isEmpty() {
            // Nothing to compare against and nothing to remove: the target kind's load path (read
            // ahead, a second connection where the target takes two writers) creates everything,
            // recording each resource in the ledger before its batch commits. The load is a run
            // of its own in the run log (kind `load`), with what it created by kind.
            let counts = Mutex<[String: Int]>([:])
            let runID = Mutex<Int64?>(nil)
            do {
                let loaded = try await BlockingThread.run(named: "scimsync.load") { _ -> (SourcePosition, ApplyOutcome)? in
                    let snapshot = try await source.openSnapshot()
                    defer { try? snapshot.finish() }
                    guard let phases = try snapshot.loadPhases(chunkSize: LoadPhase.chunkSize) else { return nil }
                    let id = try store.startRun(pipeline: name, kind: "load")
                    runID.withLock { $0 = id }
                    let outcome = try await target.load(phases) { entries in
                        try store.recordCreated(entries, pipeline: name)
                        counts.withLock { $0["create", default: 0] += entries.count }
                        watch.wrote(entries.count)
                    }
                    try snapshot.finish()
                    return (snapshot.position, outcome)
                }
                if let (position, outcome) = loaded {
                    try log.keep(outcome, applied: [])
                    try store.commit(position: position, pipeline: name)
                    if let id = runID.withLock({ $0 }) { try store.finishRun(id, ops: counts.withLock { $0 }, error: nil) }
                    logger.info("first load committed", metadata: ["position": "\(position)"])
                    return .loaded(position)
                }
            } catch {
                if let id = runID.withLock({ $0 }) { try? store.finishRun(id, ops: counts.withLock { $0 }, error: "\(error)") }
                throw error
            }
        }
        let pipeline = configuration
        // The pass reads on a thread of its own (the target through a reader of its own) and
        // applies through the pipeline's target.
        let (outcome, position) = try await BlockingThread.run(named: "scimsync.load") { _ in
            let reader = try await target.openReconcileReader()
            let snapshot = try await source.openSnapshot()
            defer { try? snapshot.finish() }
            let outcome = try await Reconciliation(pipeline: pipeline, store: store).run(
                sourceReader: snapshot.reader, sourceTypes: snapshot.idTypes, targetReader: reader,
                apply: { ops in
                    let (applied, outcome) = try await shared.applyRepairs(ops)
                    try log.keep(outcome, applied: applied, origin: "load")
                    watch.wrote(applied.count)
                    Failpoint.loadBatchApplied.passed()
                    return RepairsApplied(outcome, of: applied)
                }, options: ReconcileOptions(), progress: { _ in watch.read() })
            return (outcome, snapshot.position)
        }
        if case .refused(_, let reason) = outcome { return .refused(reason) }
        metrics.reconcileDrift.set(Double(outcome.report.totalRepairs))
        try store.commit(position: position, pipeline: name)
        // The repairs are in the pass's own run record (kind `reconcile`).
        var said: Logger.Metadata = ["position": "\(position)", "repairs": "\(outcome.report.totalRepairs)"]
        if outcome.report.notApplied > 0 { said["notApplied"] = "\(outcome.report.notApplied)" }
        logger.info("loaded from a consistent snapshot", metadata: said)
        return .loaded(position)
    }

    /// Waits, paused, until someone approves the next pass (`scimsync approve`).
    func holdUntilApproved(_ reason: String) async throws {
        logger.error("reconciliation refused; pipeline paused until `scimsync approve`", metadata: ["reason": "\(reason)"])
        metrics.errors.increment()
        states.set(configuration.name, .paused(.removals(reason)))
        while try store.hold(pipeline: configuration.name)?.approved != true {
            try await Task.sleep(for: .seconds(1))
        }
        logger.info("approved; reconciling again")
    }

    /// Every `reconcile.every`, a pass alongside the stream (until cancelled).
    func reconcilePeriodically(
        source: any SourceConnector, target: any TargetConnector, applyingThrough shared: SharedTarget
    ) async {
        guard let seconds = configuration.reconcile.everySeconds, seconds > 0 else { return }
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: .seconds(seconds))
                try await reconcileWhileStreaming(source: source, target: target, applyingThrough: shared)
            } catch is CancellationError {
                return
            } catch {
                metrics.errors.increment()
                logger.warning("reconciliation failed; the next one is due in \(seconds) s", metadata: ["error": "\(error)"])
            }
        }
    }

    /// One pass while the stream goes on: the target is read through a connection of the
    /// pass's own, repairs go through the pipeline's target between the stream's batches and
    /// skip what the stream changed after the snapshot. A refused pass pauses the stream
    /// until approved.
    func reconcileWhileStreaming(
        source: any SourceConnector, target: any TargetConnector, applyingThrough shared: SharedTarget
    ) async throws {
        let (pipeline, store, dirty) = (configuration, self.store, self.dirty)
        let name = pipeline.name
        let log = StoreOffsetLog(store: store, pipeline: name, journalValues: journalValues, logger: logger)
        states.replace(name, .streaming, with: .reconciling)
        defer { states.replace(name, .reconciling, with: .streaming) }
        let outcome = try await BlockingThread.run(named: "scimsync.reconcile") { _ async throws -> ReconcileOutcome? in
            // What the stream changes from here on is newer than the snapshot: the pass leaves it.
            dirty.begin()
            defer { dirty.end() }
            let snapshot = try await source.openSnapshot()
            defer { try? snapshot.finish() }
            // Compare only once the stream has applied everything up to the snapshot. A target
            // behind the snapshot would be "repaired" to the snapshot's newer state, and the
            // stream would then replay its older changes over it: a unique value or a
            // reference that the newer state moved conflicts with them (quarantined rows, a
            // batch that cannot commit). A stream that does not get there in time (behind,
            // paused, retrying) lets this pass go; the next one tries again.
            let deadline = Date().addingTimeInterval(60)
            while true {
                if let committed = try store.position(pipeline: name), source.hasReached(committed, snapshot.position) { break }
                if Date() >= deadline { return nil }
                try await Task.sleep(for: .milliseconds(50))
            }
            let reader = try await target.openReconcileReader()
            return try await Reconciliation(pipeline: pipeline, store: store).run(
                sourceReader: snapshot.reader, sourceTypes: snapshot.idTypes, targetReader: reader,
                apply: { ops in
                    let (applied, outcome) = try await shared.applyRepairs(ops)
                    try log.keep(outcome, applied: applied)
                    return RepairsApplied(outcome, of: applied)
                }, skip: dirty.touches, options: ReconcileOptions())
        }
        guard let outcome else {
            logger.info(
                "reconciliation skipped: the stream has not reached the pass's snapshot (behind, paused or retrying); the next pass tries again")
            return
        }
        metrics.reconciles.increment()
        let report = outcome.report
        metrics.reconcileDrift.set(Double(report.totalRepairs))
        switch outcome {
        case .refused(_, let reason):
            gate.close()
            defer { gate.open() }
            try await holdUntilApproved(reason)
            try await reconcileWhileStreaming(source: source, target: target, applyingThrough: shared)
            states.set(name, .streaming)
        case .repaired(let report):
            logger.warning("reconciliation repaired drift", metadata: ["repairs": "\(report.runLogCounts)"])
        case .clean, .dryRun:
            logger.info("reconciliation found no drift")
        }
    }
}
