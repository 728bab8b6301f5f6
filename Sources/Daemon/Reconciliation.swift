import Config
import Directory
import Foundation
import MySQLSource
import OffsetStore
import Reconcile
import SCIMClient
import SQLClients
import Targets

/// How `scimsync reconcile` (or the daemon) runs a pass.
public struct ReconcileOptions: Sendable {
    /// Report what differs, change nothing.
    public var dryRun = false
    /// Apply even beyond `reconcile.maxRemovals` or with an empty source (once).
    public var force = false
    /// Rows per keyset read, and per target transaction of repairs.
    public var chunkSize = 1000
    /// How many differences the report details.
    public var detailLimit = 20

    public init(dryRun: Bool = false, force: Bool = false, chunkSize: Int = 1000, detailLimit: Int = 20) {
        self.dryRun = dryRun
        self.force = force
        self.chunkSize = chunkSize
        self.detailLimit = detailLimit
    }
}

/// What a pass did.
public enum ReconcileOutcome: Sendable {
    /// Source and target agree on what scimsync manages; the report may still list unmanaged
    /// rows, which are left alone and are not drift (a dry run included).
    case clean(DriftReport)
    /// Drift found and repaired.
    case repaired(DriftReport)
    /// Drift found, nothing changed (`--dry-run`): repairs a real pass would make.
    case dryRun(DriftReport)
    /// The safety limits stopped the pass before anything was applied; the pipeline is held.
    case refused(DriftReport, reason: String)

    public var report: DriftReport {
        switch self {
        case .clean(let report), .repaired(let report), .dryRun(let report), .refused(let report, _): report
        }
    }
}

/// Where a pass is, for a progress display.
public struct ReconcileProgress: Sendable {
    /// `users`, `groups`, `parents`, `memberships`; with `checking` or `repairing` before it.
    public var phase: String
    /// Rows compared so far in this phase (both sides).
    public var rows: Int
    /// Rows the phase will compare, when known (from the first pass's counts).
    public var expected: Int?
}

/// Why reconciliation could not start.
public struct ReconcileSetupError: Error, CustomStringConvertible {
    public var description: String

    public init(description: String) {
        self.description = description
    }
}

/// One reconciliation pass of a pipeline (issue 5): the source's consistent snapshot and the
/// target read as streams ordered by id, merge-joined, and the differences turned into the
/// same operations streaming applies, through the same target path.
///
/// A pass first compares without changing anything (the plan), so the safety limits are
/// checked against the whole pass before a single row is touched; when the plan finds
/// repairs and may apply them, a second comparison, in the same snapshot and against the
/// target as it is then, applies them a chunk at a time. Memory holds a chunk per side and
/// a chunk of repairs, whatever the directory's size.
///
/// Ownership: created rows join the ledger before their creation commits (a crash leaves a
/// ledger entry without a row, which is harmless, never a row scimsync would later refuse to
/// manage), deleted rows leave it after.
public final class Reconciliation {
    public let pipeline: PipelineConfig
    private let store: OffsetStore
    private let rules: ReconcileRules
    private var source: DirectoryLayout { pipeline.sourceLayout }
    private var target: DirectoryLayout { pipeline.targetLayout }

    public init(pipeline: PipelineConfig, store: OffsetStore) {
        self.pipeline = pipeline
        self.store = store
        rules = ReconcileRules(
            source: pipeline.sourceLayout, target: pipeline.targetLayout, onDelete: pipeline.onDelete,
            adopt: pipeline.adopt)
    }

    /// Runs one pass.
    ///
    /// - Parameters:
    ///   - snapshot: the source as of one binlog position; read twice at most, left open.
    ///   - sourceColumns: the source's id column types, to check both sides sort alike.
    ///   - reader: the target connection the pass reads through.
    ///   - apply: applies one batch of repairs in one target transaction and returns the
    ///     operations it applied: the daemon leaves out, in the same step as applying, those on
    ///     resources that streaming changed after the snapshot (the stream's version is newer).
    ///   - skip: while planning, the repairs to leave out of the counts and the safety check
    ///     (the daemon's resources that streaming changed after the snapshot: a user the stream
    ///     created since is not one the pass would remove).
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
            sourceReader: SnapshotSourceReader(snapshot, layout: source), sourceTypes: sourceTypes, targetReader: reader,
            apply: apply, skip: skip, options: options, progress: progress)
    }

    /// One pass over either kind of source and target (a SCIM source's full pull included).
    func run(
        sourceReader: any ReconcileSourceReader, sourceTypes: SourceIDTypes, targetReader reader: any ReconcileTargetReader,
        apply: @escaping ([ResourceOp]) throws -> [ResourceOp], skip: @escaping (ResourceOp) -> Bool = { _ in false },
        options: ReconcileOptions, progress: ((ReconcileProgress) -> Void)? = nil
    ) throws -> ReconcileOutcome {
        let orders = try reader.idOrders(source: sourceTypes, pipeline: pipeline.name)
        var context = PassContext(
            sourceReader: sourceReader, reader: reader, orders: orders, options: options, applying: false, apply: apply,
            skip: skip, progress: progress, pipeline: pipeline.name)
        if !options.dryRun, try reader.isEmpty() {
            // Nothing to remove from an empty target (a first load): no plan to check first.
            context.applying = true
            let runID = try store.startRun(pipeline: pipeline.name, kind: "reconcile")
            do {
                let done = try pass(&context)
                try store.finishRun(runID, ops: done.runLogCounts, error: nil)
                return done.totalRepairs > 0 ? .repaired(done) : .clean(done)
            } catch {
                try? store.finishRun(runID, ops: [:], error: "\(error)")
                throw error
            }
        }
        let plan = try pass(&context)
        if options.dryRun {
            // The real pass's test, below: what it would repair, not what it would leave alone.
            return plan.hasDrift ? .dryRun(plan) : .clean(plan)
        }
        let runID = try store.startRun(pipeline: pipeline.name, kind: "reconcile")
        do {
            let hold = try store.hold(pipeline: pipeline.name)
            let approved = options.force || hold?.approved == true
            if !approved, let reason = RemovalSafety.refusal(plan, limit: removalLimit) {
                try store.setHold(pipeline: pipeline.name, reason: reason)
                try store.finishRun(runID, ops: [:], error: "refused: " + reason)
                return .refused(plan, reason: reason)
            }
            guard plan.hasDrift else {
                if hold != nil { try store.clearHold(pipeline: pipeline.name) }
                try store.finishRun(runID, ops: [:], error: nil)
                return .clean(plan)
            }
            context.applying = true
            context.expected = plan
            let done = try pass(&context)
            if hold != nil { try store.clearHold(pipeline: pipeline.name) }
            try store.finishRun(runID, ops: done.runLogCounts, error: nil)
            return .repaired(done)
        } catch {
            try? store.finishRun(runID, ops: [:], error: "\(error)")
            throw error
        }
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

    private var removalLimit: RemovalSafety.Limit {
        switch pipeline.reconcile.maxRemovals {
        case .percent(let percent): .percent(percent)
        case .count(let count): .count(count)
        }
    }

    // MARK: Passes

    /// What a pass carries from phase to phase.
    struct PassContext {
        let sourceReader: any ReconcileSourceReader
        let reader: any ReconcileTargetReader
        let orders: IDOrders
        let options: ReconcileOptions
        var applying: Bool
        let apply: ([ResourceOp]) throws -> [ResourceOp]
        let skip: (ResourceOp) -> Bool
        let progress: ((ReconcileProgress) -> Void)?
        let pipeline: String
        var expected: DriftReport?
    }

    private func pass(_ context: inout PassContext) throws -> DriftReport {
        var report = DriftReport(detailLimit: context.options.detailLimit)
        if source.groups != nil, target.groups != nil {
            try entries(.group, &context, &report)
            if rules.compareParents { try parents(&context, &report) }
        }
        try entries(.user, &context, &report)
        if source.hasMemberships, target.hasMemberships {
            try memberships(&context, &report)
        }
        return report
    }

    private func entries(_ kind: ResourceKind, _ context: inout PassContext, _ report: inout DriftReport) throws {
        let order = kind == .user ? context.orders.users : context.orders.groups
        guard kind == .user || (source.groupMapper != nil && target.groupMapper != nil) else { return }
        var join = MergeJoin(
            source: try context.sourceReader.entries(kind, chunkSize: context.options.chunkSize, order: order),
            sourceName: context.sourceReader.name(kind), sourceKey: \DirectoryEntry.id,
            target: try context.reader.entries(kind, chunkSize: context.options.chunkSize, order: order),
            targetName: context.reader.name(kind), targetKey: \DirectoryEntry.id, compare: order.compare)
        let phase = kind == .user ? "users" : "groups"
        var window: [MergeStep<DirectoryEntry, DirectoryEntry>] = []
        var rows = 0
        while let step = try join.next() {
            switch step {
            case .source: rows += 1; countSource(kind, &report)
            case .target: rows += 1; countTarget(kind, &report)
            case .both: rows += 2; countSource(kind, &report); countTarget(kind, &report)
            }
            window.append(step)
            if window.count >= context.options.chunkSize {
                try flushEntries(window, kind, &context, &report)
                window.removeAll(keepingCapacity: true)
                announce(context, phase, rows, kind)
            }
        }
        try flushEntries(window, kind, &context, &report)
        announce(context, phase, rows, kind)
    }

    private func announce(_ context: PassContext, _ phase: String, _ rows: Int, _ kind: ResourceKind?) {
        guard let progress = context.progress else { return }
        var expected: Int?
        if let plan = context.expected {
            switch kind {
            case .user?: expected = plan.sourceUsers + plan.targetUsers
            case .group?: expected = plan.sourceGroups + plan.targetGroups
            case nil: expected = nil
            }
        }
        progress(ReconcileProgress(phase: (context.applying ? "repairing " : "checking ") + phase, rows: rows, expected: expected))
    }

    private func countSource(_ kind: ResourceKind, _ report: inout DriftReport) {
        if kind == .user { report.sourceUsers += 1 } else { report.sourceGroups += 1 }
    }

    private func countTarget(_ kind: ResourceKind, _ report: inout DriftReport) {
        if kind == .user { report.targetUsers += 1 } else { report.targetGroups += 1 }
    }

    private func flushEntries(
        _ window: [MergeStep<DirectoryEntry, DirectoryEntry>], _ kind: ResourceKind, _ context: inout PassContext,
        _ report: inout DriftReport
    ) throws {
        guard !window.isEmpty else { return }
        let targetIDs = window.compactMap { step -> String? in
            switch step {
            case .target(let entry), .both(_, let entry): entry.id
            case .source: nil
            }
        }
        let owned = try store.owned(targetIDs, kind: kind, pipeline: context.pipeline)
        var decisions: [(id: String, Decision)] = []
        for step in window {
            let id: String
            switch step {
            case .source(let entry), .target(let entry), .both(let entry, _): id = entry.id
            }
            let decision = rules.decide(step, kind: kind, managed: owned.contains(id), report: &report)
            if !decision.ops.isEmpty { decisions.append((id, decision)) }
        }
        try carryOut(decisions, kind, &context, &report)
    }

    /// Applies (or, while planning, counts) decisions, with their ledger changes.
    private func carryOut(
        _ decisions: [(id: String, Decision)], _ kind: ResourceKind, _ context: inout PassContext,
        _ report: inout DriftReport
    ) throws {
        var ops: [ResourceOp] = []
        var added: [LedgerEntry] = []
        var removed: [LedgerEntry] = []
        for (id, decision) in decisions {
            if !context.applying, decision.ops.contains(where: context.skip) { continue }
            ops += decision.ops
            if decision.created || decision.adopted { added.append(LedgerEntry(kind: kind, id: id)) }
            if decision.removed { removed.append(LedgerEntry(kind: kind, id: id)) }
        }
        report.adopted += decisions.filter { $0.1.adopted }.count
        guard context.applying, !ops.isEmpty else {
            report.count(ops)
            return
        }
        try store.updateLedger(added: added, removed: [], pipeline: context.pipeline)
        let applied = try context.apply(ResourceOp.ordered(ops))
        report.count(applied)
        let deleted = Set(applied.compactMap { op -> String? in
            if case .delete(_, let id) = op { id } else { nil }
        })
        try store.updateLedger(added: [], removed: removed.filter { deleted.contains($0.id) }, pipeline: context.pipeline)
    }

    private func parents(_ context: inout PassContext, _ report: inout DriftReport) throws {
        guard source.groupMapper != nil, target.groupMapper != nil else { return }
        typealias Parent = (id: String, parent: String?)
        var join = MergeJoin(
            source: try context.sourceReader.parents(chunkSize: context.options.chunkSize, order: context.orders.groups),
            sourceName: context.sourceReader.name(.group), sourceKey: { (entry: Parent) in entry.id },
            target: try context.reader.parents(chunkSize: context.options.chunkSize, order: context.orders.groups),
            targetName: context.reader.name(.group), targetKey: { (entry: Parent) in entry.id },
            compare: context.orders.groups.compare)
        var window: [(Parent, Parent)] = []
        var rows = 0
        func flush(_ context: inout PassContext, _ report: inout DriftReport) throws {
            let differing = window.filter { $0.0.parent != $0.1.parent }
            guard !differing.isEmpty else { return }
            let owned = try store.owned(differing.map(\.0.id), kind: .group, pipeline: context.pipeline)
            var decisions: [(id: String, Decision)] = []
            for (sourceGroup, targetGroup) in differing {
                let decision = rules.decideParent(
                    groupID: sourceGroup.id, source: sourceGroup.parent, target: targetGroup.parent,
                    managed: owned.contains(sourceGroup.id), report: &report)
                if !decision.ops.isEmpty { decisions.append((sourceGroup.id, decision)) }
            }
            try carryOut(decisions, .group, &context, &report)
        }
        while let step = try join.next() {
            rows += 1
            guard case .both(let sourceGroup, let targetGroup) = step else { continue }
            window.append((sourceGroup, targetGroup))
            if window.count >= context.options.chunkSize {
                try flush(&context, &report)
                window.removeAll(keepingCapacity: true)
                announce(context, "parents", rows, nil)
            }
        }
        try flush(&context, &report)
    }

    private func memberships(_ context: inout PassContext, _ report: inout DriftReport) throws {
        let order = context.orders.memberships
        var join = MergeJoin(
            source: try context.sourceReader.memberships(chunkSize: context.options.chunkSize, order: order),
            sourceName: context.sourceReader.membershipsName, sourceKey: { $0 },
            target: try context.reader.memberships(chunkSize: context.options.chunkSize, order: order),
            targetName: context.reader.membershipsName, targetKey: { $0 },
            compare: { order.compare($0, $1) })
        var window: [(Membership, inSource: Bool)] = []
        var rows = 0
        func flush(_ context: inout PassContext, _ report: inout DriftReport) throws {
            guard !window.isEmpty else { return }
            let users = Array(Set(window.map(\.0.userID)))
            let owned = try store.owned(users, kind: .user, pipeline: context.pipeline)
            // A user the target lacks is one this pass creates (or created): its memberships are
            // scimsync's too.
            let present = try context.reader.existingUserIDs(users.filter { !owned.contains($0) })
            var decisions: [(id: String, Decision)] = []
            for (membership, inSource) in window {
                let managed = owned.contains(membership.userID) || !present.contains(membership.userID)
                let decision = rules.decideMembership(membership, inSource: inSource, managed: managed, report: &report)
                if !decision.ops.isEmpty { decisions.append((membership.userID, decision)) }
            }
            // Memberships join no ledger: they belong to their user.
            try carryOut(decisions.map { ($0.id, Decision(ops: $0.1.ops)) }, .user, &context, &report)
        }
        while let step = try join.next() {
            rows += 1
            switch step {
            case .both: continue
            case .source(let membership): window.append((membership, true))
            case .target(let membership): window.append((membership, false))
            }
            if window.count >= context.options.chunkSize {
                try flush(&context, &report)
                window.removeAll(keepingCapacity: true)
                announce(context, "memberships", rows, nil)
            }
        }
        try flush(&context, &report)
    }
}

extension DirectoryLayout {
    var hasMemberships: Bool { membership != nil || users.group != nil }
}

/// The SQL types of the source's id columns, read from its catalog before the snapshot.
public struct SourceIDTypes: Sendable {
    public var users: ColumnType
    public var groups: ColumnType?
    /// The relation table's user column, or the users id without one.
    public var membershipUsers: ColumnType

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
        users = try type(layout.users.table, layout.userMapper.idColumn)
        groups = try layout.groups.map { try type($0.table, layout.groupMapper?.idColumn ?? "id") }
        membershipUsers = try layout.membership.map { try type($0.table, $0.user) } ?? users
    }
}

/// The order each merge-join reads in, the same on both sides.
struct IDOrders {
    var users: IDOrder
    var groups: IDOrder
    var memberships: IDOrder

    init(source: SourceIDTypes, target: SQLTarget, pipeline: String) throws {
        func agreed(_ what: String, _ sourceType: ColumnType, _ targetType: ColumnType) throws -> IDOrder {
            switch (IDOrder(sourceType), IDOrder(targetType)) {
            case (.numeric, _):
                // A target keeping integer ids as text is read in integer order (cast).
                return .numeric
            case (.binary, .binary):
                return .binary
            case (.binary, .numeric):
                throw ReconcileSetupError(
                    description: "pipeline \(pipeline): the \(what) id is text in the source but an integer in the "
                        + "target; reconciliation reads both sides in one id order and cannot order the source's "
                        + "text ids as integers")
            }
        }
        users = try agreed("users", source.users, try target.idType(of: .users))
        if let sourceGroups = source.groups, target.layout.groups != nil {
            groups = try agreed("groups", sourceGroups, try target.idType(of: .groups))
        } else {
            groups = users
        }
        memberships = try agreed("membership user", source.membershipUsers, try target.idType(of: .memberships))
    }
}
