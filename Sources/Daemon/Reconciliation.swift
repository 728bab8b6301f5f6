import Config
import Directory
import Foundation
import MySQLSource
import OffsetStore
import Reconcile
import SCIMClient
import SQLClients
import Targets

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

    /// Runs one pass over a MySQL/MariaDB source's consistent snapshot into a SQL target.
    ///
    /// See ``Reconcile/ReconcilePass/run(sourceReader:sourceTypes:targetReader:apply:skip:options:progress:)``.
    public func run(
        snapshot: ConsistentSnapshot, sourceTypes: SourceIDTypes, reader: SQLTarget,
        apply: @escaping ([ResourceOp]) throws -> [ResourceOp], skip: @escaping (ResourceOp) -> Bool = { _ in false },
        options: ReconcileOptions, progress: ((ReconcileProgress) -> Void)? = nil
    ) throws -> ReconcileOutcome {
        try run(
            snapshot: snapshot, sourceTypes: sourceTypes, targetReader: SQLReconcileReader(reader), apply: apply, skip: skip,
            options: options, progress: progress)
    }

    /// ``run(snapshot:sourceTypes:reader:apply:skip:options:progress:)`` over either kind of target.
    func run(
        snapshot: ConsistentSnapshot, sourceTypes: SourceIDTypes, targetReader reader: any ReconcileTargetReader,
        apply: @escaping ([ResourceOp]) throws -> [ResourceOp], skip: @escaping (ResourceOp) -> Bool = { _ in false },
        options: ReconcileOptions, progress: ((ReconcileProgress) -> Void)? = nil
    ) throws -> ReconcileOutcome {
        try run(
            sourceReader: SnapshotSourceReader(snapshot, layout: pipeline.sourceLayout), sourceTypes: sourceTypes,
            targetReader: reader, apply: apply, skip: skip, options: options, progress: progress)
    }

    /// One pass over either kind of source and target (a SCIM source's full pull included).
    func run(
        sourceReader: any ReconcileSourceReader, sourceTypes: SourceIDTypes, targetReader reader: any ReconcileTargetReader,
        apply: @escaping ([ResourceOp]) throws -> [ResourceOp], skip: @escaping (ResourceOp) -> Bool = { _ in false },
        options: ReconcileOptions, progress: ((ReconcileProgress) -> Void)? = nil
    ) throws -> ReconcileOutcome {
        try pass.run(
            sourceReader: sourceReader, sourceTypes: sourceTypes, targetReader: reader, apply: apply, skip: skip,
            options: options, progress: progress)
    }

    /// Opens the pipeline's source and target, takes a snapshot and runs one pass applying
    /// through that target (`scimsync reconcile`).
    public func runStandalone(
        options: ReconcileOptions, progress: ((ReconcileProgress) -> Void)? = nil
    ) throws -> ReconcileOutcome {
        if case .scim(let scim) = pipeline.source {
            let target = try TargetFactory.open(pipeline, store: store)
            return try run(
                sourceReader: SCIMSourceReader(
                    client: try SCIMClient(baseURL: scim.url, token: scim.token), pageSize: scim.pageSize),
                sourceTypes: .scim, targetReader: try TargetFactory.reconcileReader(pipeline, store: store, sharing: target),
                apply: { ops in
                    try target.apply(ops)
                    return ops
                }, options: options, progress: progress)
        }
        guard case .mysql(let source)? = pipeline.source.sql?.connection else {
            throw ReconcileSetupError(description: "pipeline \(pipeline.name): only MySQL/MariaDB sources can be reconciled so far")
        }
        let connection = try MariaDBConnection(
            host: source.host, port: source.port, user: source.user, password: source.password, database: source.database)
        let types = try SourceIDTypes(connection: connection, layout: pipeline.sourceLayout)
        let snapshot = try ConsistentSnapshot(connection: connection)
        defer { try? snapshot.finish() }
        let target = try TargetFactory.open(pipeline, store: store)
        return try run(
            snapshot: snapshot, sourceTypes: types,
            targetReader: try TargetFactory.reconcileReader(pipeline, store: store, sharing: target),
            apply: { ops in
                try target.apply(ops)
                return ops
            }, options: options, progress: progress)
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

extension SourceIDTypes {
    /// Reads them from the catalog of `connection`'s database.
    public init(connection: MariaDBConnection, layout: DirectoryLayout) throws {
        func type(_ table: String, _ column: String) throws -> ColumnType {
            guard let columns = try connection.columns(ofTable: table) else {
                throw ReconcileSetupError(description: "the source has no table \(table)")
            }
            guard let found = columns.first(where: { $0.name.lowercased() == column.lowercased() }) else {
                throw ReconcileSetupError(description: "the source table \(table) has no column \(column)")
            }
            return ColumnType(sqlType: found.sqlType)
        }
        let users = try type(layout.users.table, layout.userMapper.idColumn)
        self.init(
            users: users, groups: try layout.groups.map { try type($0.table, layout.groupMapper?.idColumn ?? "id") },
            membershipUsers: try layout.membership.map { try type($0.table, $0.user) } ?? users)
    }
}
