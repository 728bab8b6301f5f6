import Config
import Connectors
import Directory
import Foundation
import OffsetStore
import PipelineCore
import Reconcile
import SQLClients
import Synchronization
import Targets

/// A crash point for the crash-safety tests: with `SCIMSYNC_FAILPOINT_KILL_AFTER_LOAD_CHUNKS=N`
/// in the environment the process SIGKILLs itself after the load's N-th target batch, so a
/// test can be sure to kill it in the middle of a first load, whatever the machine's speed.
enum LoadFailpoint {
    private static let killAfterChunks: Int? = ProcessInfo.processInfo
        .environment["SCIMSYNC_FAILPOINT_KILL_AFTER_LOAD_CHUNKS"].flatMap { Int($0) }
    private static let applied = Mutex(0)

    /// Counts a load batch (from any of the load's threads).
    static func batchApplied() {
        guard let killAfterChunks else { return }
        if applied.withLock({ $0 += 1; return $0 }) >= killAfterChunks { kill(getpid(), SIGKILL) }
    }
}

extension Pipeline {
    /// The first load, and the recovery from a lost position or from changes the source's log
    /// does not carry: a reconciliation pass from a new consistent snapshot, then the
    /// snapshot's position committed: streaming resumes there. Into an empty target, where a
    /// pass could only create, the dedicated load path does the same faster when the source
    /// kind offers one. A pass the safety limits refuse applies nothing and says so (the
    /// runner holds the pipeline until approved, then loads again: the approved pass goes
    /// through).
    func loadOnce(source: any SourceConnector) async throws -> LoadOutcome {
        let name = configuration.name
        if try await loadsByCreating() {
            // Nothing to compare against and nothing to remove: the dedicated load path (read
            // ahead, a second connection on MariaDB and PostgreSQL) creates everything, recording
            // each resource in the ledger before its batch commits.
            let store = self.store
            let parallel: (@Sendable () throws -> any ReplicationTarget)?
            switch configuration.target {
            case .sql(let target):
                switch target.connection {
                case .mysql, .postgres: parallel = { try TargetFactory.open(target) }
                case .sqlite: parallel = nil
                }
            case .scim: parallel = nil
            }
            let loaded = try await target.run { target -> SourcePosition? in
                let snapshot = try source.openSnapshot()
                defer { try? snapshot.finish() }
                guard let phases = try snapshot.loadPhases(chunkSize: InitialLoad.chunkSize) else { return nil }
                try InitialLoad.run(phases, target: target, openParallelTarget: parallel) { ops in
                    try store.recordCreated(ops.compactMap(\.createdEntry), pipeline: name)
                }
                try snapshot.finish()
                return snapshot.position
            }
            if let loaded {
                try store.commit(position: loaded, pipeline: name)
                logger.info("first load committed", metadata: ["position": "\(loaded)"])
                return .loaded(loaded)
            }
        }
        let (pipeline, store, target) = (configuration, self.store, self.target)
        // The pass reads on a thread of its own (the target through a connection of its own)
        // and applies through the pipeline's target.
        let (outcome, position) = try await BlockingThread.run(named: "scimsync.load") { _ in
            let reader = try TargetFactory.reconcileReader(pipeline, store: store)
            let snapshot = try source.openSnapshot()
            defer { try? snapshot.finish() }
            let outcome = try await Reconciliation(pipeline: pipeline, store: store).run(
                sourceReader: snapshot.reader, sourceTypes: snapshot.idTypes, targetReader: reader,
                apply: { ops in
                    try await target.run { target in
                        try target.apply(ops)
                        LoadFailpoint.batchApplied()
                        return ops
                    }
                }, options: ReconcileOptions())
            return (outcome, snapshot.position)
        }
        if case .refused(_, let reason) = outcome { return .refused(reason) }
        metrics.reconcileDrift.set(Double(outcome.report.totalRepairs))
        try store.commit(position: position, pipeline: name)
        // The repairs are in the pass's own run record (kind `reconcile`).
        logger.info(
            "loaded from a consistent snapshot",
            metadata: ["position": "\(position)", "repairs": "\(outcome.report.totalRepairs)"])
        return .loaded(position)
    }

    /// Whether the first load creates everything: a SQL target with no users and no groups
    /// (fresh tables), or a SCIM target for which scimsync has no provider ids yet (what the
    /// provider already holds is met by the creates' 409 handling). Otherwise the load is a
    /// reconciliation pass, which also removes what the source lost in between.
    private func loadsByCreating() async throws -> Bool {
        if case .scim = configuration.target {
            let name = configuration.name
            return try store.scimProviderIDCount(kind: .user, pipeline: name) == 0
                && store.scimProviderIDCount(kind: .group, pipeline: name) == 0
        }
        return try await target.run { target -> Bool in
            guard let sql = target as? SQLTarget else { return false }
            if try !sql.readChunk(.users, after: nil, limit: 1).isEmpty { return false }
            if sql.layout.groups != nil, try !sql.readChunk(.groups, after: nil, limit: 1).isEmpty { return false }
            return true
        }
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
    func reconcilePeriodically(source: any SourceConnector) async {
        guard let seconds = configuration.reconcile.everySeconds, seconds > 0 else { return }
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: .seconds(seconds))
                try await reconcileWhileStreaming(source: source)
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
    func reconcileWhileStreaming(source: any SourceConnector) async throws {
        let (pipeline, store, dirty, target) = (configuration, self.store, self.dirty, self.target)
        let name = pipeline.name
        states.replace(name, .streaming, with: .reconciling)
        defer { states.replace(name, .reconciling, with: .streaming) }
        let outcome = try await BlockingThread.run(named: "scimsync.reconcile") { _ async throws -> ReconcileOutcome? in
            // What the stream changes from here on is newer than the snapshot: the pass leaves it.
            dirty.begin()
            defer { dirty.end() }
            let snapshot = try source.openSnapshot()
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
            let reader = try TargetFactory.reconcileReader(pipeline, store: store)
            return try await Reconciliation(pipeline: pipeline, store: store).run(
                sourceReader: snapshot.reader, sourceTypes: snapshot.idTypes, targetReader: reader,
                apply: { ops in
                    try await target.run { target in
                        let kept = ops.filter { !dirty.touches($0) }
                        if !kept.isEmpty { try target.apply(kept) }
                        return kept
                    }
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
            try await reconcileWhileStreaming(source: source)
            states.set(name, .streaming)
        case .repaired(let report):
            logger.warning("reconciliation repaired drift", metadata: ["repairs": "\(report.runLogCounts)"])
        case .clean, .dryRun:
            logger.info("reconciliation found no drift")
        }
    }
}
