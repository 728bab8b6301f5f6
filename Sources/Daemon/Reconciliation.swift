import Config
import Connectors
import Directory
import Foundation
import Logging
import OffsetStore
import Reconcile

/// A reconciliation pass of one configured pipeline: the pure ``Reconcile/ReconcilePass`` over
/// the pipeline's layouts and safety limits, keeping its ledger, hold and run log in the
/// offset store.
public final class Reconciliation {
    public let pipeline: PipelineConfig
    private let store: OffsetStore
    private let pass: ReconcilePass

    public init(pipeline: PipelineConfig, store: OffsetStore) {
        self.pipeline = pipeline
        self.store = store
        pass = ReconcilePass(
            .init(
                pipeline: pipeline.name, source: pipeline.sourceLayout, target: pipeline.targetLayout,
                onDelete: pipeline.onDelete, adopt: pipeline.adopt, removalLimit: pipeline.reconcile.maxRemovals.safetyLimit),
            ledger: StoreLedger(store: store, pipeline: pipeline.name))
    }

    /// One pass over any source and target.
    ///
    /// See ``Reconcile/ReconcilePass/run(sourceReader:sourceTypes:targetReader:apply:skip:options:progress:)``.
    func run(
        sourceReader: any ReconcileSourceReader, sourceTypes: SourceIDTypes, targetReader reader: any ReconcileTargetReader,
        apply: @escaping ([ResourceOp]) async throws -> RepairsApplied, skip: @escaping (ResourceOp) -> Bool = { _ in false },
        options: ReconcileOptions, progress: ((ReconcileProgress) -> Void)? = nil
    ) async throws -> ReconcileOutcome {
        try await pass.run(
            sourceReader: sourceReader, sourceTypes: sourceTypes, targetReader: reader, apply: apply, skip: skip,
            options: options, progress: progress)
    }

    /// Opens the pipeline's source and target, takes a snapshot and runs one pass applying
    /// through that target (`scimsync reconcile`), on a thread of its own: its reads block.
    /// What the target parks or refuses is kept in the offset store, as the daemon keeps it.
    /// Into an empty target the load path does the pass's work
    /// (``loadIntoEmptyTarget(_:connector:pipeline:store:log:detailLimit:progress:)``).
    public func runStandalone(
        sources: SourceRegistry, targets: TargetRegistry, options: ReconcileOptions,
        progress: (@Sendable (ReconcileProgress) -> Void)? = nil
    ) async throws -> ReconcileOutcome {
        let (pipeline, store) = (self.pipeline, self.store)
        let logger = Logger(label: "scimsync.reconcile")
        let source = try sources.connector(for: pipeline, store: store, logger: logger)
        let connector = try targets.connector(for: pipeline, store: store, logger: logger)
        let log = StoreOffsetLog(store: store, pipeline: pipeline.name)
        return try await BlockingThread.run(named: "scimsync.reconcile") { _ in
            let snapshot = try await source.openSnapshot()
            defer { try? snapshot.finish() }
            if !options.dryRun, try await connector.isEmpty(),
                let loaded = try await Self.loadIntoEmptyTarget(
                    snapshot, connector: connector, pipeline: pipeline.name, store: store, log: log,
                    detailLimit: options.detailLimit, progress: progress)
            {
                return loaded
            }
            let target = try connector.openTarget()
            return try await Reconciliation(pipeline: pipeline, store: store).run(
                sourceReader: snapshot.reader, sourceTypes: snapshot.idTypes,
                targetReader: try await connector.openReconcileReader(),
                apply: { ops in
                    let outcome = try await target.apply(ops)
                    try log.keep(outcome, applied: ops)
                    return RepairsApplied(outcome, of: ops)
                }, options: options, progress: progress)
        }
    }
}

/// A pipeline's ledger, hold and run log in the offset store.
struct StoreLedger: LedgerStore {
    let store: OffsetStore
    let pipeline: String

    func owned(_ ids: [String], kind: ResourceKind) throws -> Set<String> {
        try store.owned(ids, kind: kind, pipeline: pipeline)
    }

    func updateLedger(added: [LedgerEntry], removed: [LedgerEntry]) throws {
        try store.updateLedger(added: added, removed: removed, pipeline: pipeline)
    }

    func hold() throws -> ReconcileHold? {
        try store.hold(pipeline: pipeline).map { ReconcileHold(reason: $0.reason, approved: $0.approved) }
    }

    func setHold(reason: String) throws { try store.setHold(pipeline: pipeline, reason: reason) }

    func clearHold() throws { try store.clearHold(pipeline: pipeline) }

    func startRun() throws -> Int64 { try store.startRun(pipeline: pipeline, kind: "reconcile") }

    func finishRun(_ id: Int64, ops: [String: Int], error: String?) throws {
        try store.finishRun(id, ops: ops, error: error)
    }
}

extension RemovalLimit {
    /// The limit as a reconciliation pass takes it.
    var safetyLimit: RemovalSafety.Limit {
        switch self {
        case .percent(let percent): .percent(percent)
        case .count(let count): .count(count)
        }
    }
}
