import Directory

/// One reconciliation pass: the source and the target read as streams ordered by id,
/// merge-joined, and the differences turned into the same operations streaming applies,
/// applied through the caller's target path. No I/O of its own: the readers, the ledger and
/// the apply step are given.
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
public final class ReconcilePass {
    /// What a pass compares and how far it may go.
    public struct Settings: Sendable {
        public var pipeline: String
        public var source: DirectoryLayout
        public var target: DirectoryLayout
        public var onDelete: DeletePolicy
        /// Take over target rows that match source rows but scimsync did not create.
        public var adopt: Bool
        /// How much a pass may remove before it is refused and the pipeline held.
        public var removalLimit: RemovalSafety.Limit

        public init(
            pipeline: String, source: DirectoryLayout, target: DirectoryLayout, onDelete: DeletePolicy, adopt: Bool,
            removalLimit: RemovalSafety.Limit
        ) {
            self.pipeline = pipeline
            self.source = source
            self.target = target
            self.onDelete = onDelete
            self.adopt = adopt
            self.removalLimit = removalLimit
        }
    }

    public let settings: Settings
    private let ledger: any LedgerStore
    private let rules: ReconcileRules
    private var source: DirectoryLayout { settings.source }
    private var target: DirectoryLayout { settings.target }

    public init(_ settings: Settings, ledger: any LedgerStore) {
        self.settings = settings
        self.ledger = ledger
        rules = ReconcileRules(source: settings.source, target: settings.target, onDelete: settings.onDelete, adopt: settings.adopt)
    }

    /// Runs one pass.
    ///
    /// - Parameters:
    ///   - sourceReader: the source as of one consistent point; read twice at most.
    ///   - sourceTypes: the source's id column types, to check both sides sort alike.
    ///   - targetReader: the target as the pass reads it.
    ///   - apply: applies one batch of repairs in one target transaction and says which it
    ///     carried out: the daemon leaves out, in the same step as applying, those on
    ///     resources that streaming changed after the snapshot (the stream's version is newer),
    ///     and counts apart those the target refused or parked.
    ///   - skip: while planning, the repairs to leave out of the counts and the safety check
    ///     (the daemon's resources that streaming changed after the snapshot: a user the stream
    ///     created since is not one the pass would remove).
    public func run(
        sourceReader: any ReconcileSourceReader, sourceTypes: SourceIDTypes, targetReader reader: any ReconcileTargetReader,
        apply: @escaping ([ResourceOp]) async throws -> RepairsApplied, skip: @escaping (ResourceOp) -> Bool = { _ in false },
        options: ReconcileOptions, progress: ((ReconcileProgress) -> Void)? = nil
    ) async throws -> ReconcileOutcome {
        let orders = try reader.idOrders(source: sourceTypes, pipeline: settings.pipeline)
        var context = PassContext(
            sourceReader: sourceReader, reader: reader, orders: orders, options: options, applying: false, apply: apply,
            skip: skip, progress: progress)
        // A dry run applies nothing: nothing to keep.
        if !options.dryRun { context.kept = KeptRepairs(budget: options.keptRepairsBytes) }
        if !options.dryRun, try reader.isEmpty() {
            // Nothing to remove from an empty target (a first load): no plan to check first.
            context.applying = true
            let runID = try ledger.startRun()
            do {
                let done = try await pass(&context)
                try ledger.finishRun(runID, ops: done.runLogCounts, error: nil)
                return done.totalRepairs > 0 ? .repaired(done) : .clean(done)
            } catch {
                try? ledger.finishRun(runID, ops: [:], error: "\(error)")
                throw error
            }
        }
        let plan = try await pass(&context)
        if options.dryRun {
            // The real pass's test, below: what it would repair, not what it would leave alone.
            return plan.hasDrift ? .dryRun(plan) : .clean(plan)
        }
        let runID = try ledger.startRun()
        do {
            let hold = try ledger.hold()
            let approved = options.force || hold?.approved == true
            if !approved, let reason = RemovalSafety.refusal(plan, limit: settings.removalLimit) {
                try ledger.setHold(reason: reason)
                try ledger.finishRun(runID, ops: [:], error: "refused: " + reason)
                return .refused(plan, reason: reason)
            }
            guard plan.hasDrift else {
                if hold != nil { try ledger.clearHold() }
                try ledger.finishRun(runID, ops: [:], error: nil)
                return .clean(plan)
            }
            context.applying = true
            context.expected = plan
            let done: DriftReport
            if let kept = context.kept {
                done = try await replay(kept, plan: plan, &context)
            } else {
                done = try await pass(&context)
            }
            if hold != nil { try ledger.clearHold() }
            try ledger.finishRun(runID, ops: done.runLogCounts, error: nil)
            return .repaired(done)
        } catch {
            try? ledger.finishRun(runID, ops: [:], error: "\(error)")
            throw error
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
        let apply: ([ResourceOp]) async throws -> RepairsApplied
        let skip: (ResourceOp) -> Bool
        let progress: ((ReconcileProgress) -> Void)?
        var expected: DriftReport?
        /// While planning, the decisions with repairs, as long as they fit their budget; nil
        /// once they did not (the repairing pass then compares again).
        var kept: KeptRepairs?
    }

    private func pass(_ context: inout PassContext) async throws -> DriftReport {
        var report = DriftReport(detailLimit: context.options.detailLimit)
        if source.groups != nil, target.groups != nil {
            try await entries(.group, &context, &report)
            if rules.compareParents { try await parents(&context, &report) }
        }
        try await entries(.user, &context, &report)
        if source.hasMemberships, target.hasMemberships {
            try await memberships(&context, &report)
        }
        return report
    }

    private func entries(_ kind: ResourceKind, _ context: inout PassContext, _ report: inout DriftReport) async throws {
        let order = kind == .user ? context.orders.users : context.orders.groups
        guard kind == .user || (source.groupMapper != nil && target.groupMapper != nil) else { return }
        let (sourceChunks, targetChunks) = sides(
            context,
            source: try context.sourceReader.entries(kind, chunkSize: context.options.chunkSize, order: order),
            target: try context.reader.entries(kind, chunkSize: context.options.chunkSize, order: order))
        defer {
            sourceChunks.stop()
            targetChunks.stop()
        }
        var join = MergeJoin(
            source: sourceChunks, sourceName: context.sourceReader.name(kind), sourceKey: \DirectoryEntry.id,
            target: targetChunks, targetName: context.reader.name(kind), targetKey: \DirectoryEntry.id,
            compare: order.compare)
        let phase = kind == .user ? "users" : "groups"
        var window: [MergeStep<DirectoryEntry, DirectoryEntry>] = []
        var rows = 0
        while let step = try join.next() {
            // A source row the map cannot convert: left as the target has it, and reported.
            if let unreadable = step.unreadableSource {
                rows += step.sides
                countSource(kind, &report)
                if case .both = step { countTarget(kind, &report) }
                report.unreadable += 1
                report.note(
                    Difference(
                        resource: kind == .user ? "User" : "Group", id: unreadable.id,
                        change: "the source row cannot be read: \(unreadable.reason)"))
                continue
            }
            switch step {
            case .source: rows += 1; countSource(kind, &report)
            case .target: rows += 1; countTarget(kind, &report)
            case .both(let sourceEntry, let targetEntry):
                rows += 2
                countSource(kind, &report)
                countTarget(kind, &report)
                // Most rows are equal on both sides: no decision, no ledger look-up.
                if rules.isUnchanged(sourceEntry, targetEntry, kind: kind) {
                    if rows % (2 * context.options.chunkSize) == 0 { announce(context, phase, rows, kind) }
                    continue
                }
            }
            window.append(step)
            if window.count >= context.options.chunkSize {
                try await flushEntries(window, kind, &context, &report)
                window.removeAll(keepingCapacity: true)
                announce(context, phase, rows, kind)
            }
        }
        try await flushEntries(window, kind, &context, &report)
        announce(context, phase, rows, kind)
    }

    /// The two sides of a join, each read ahead on a thread of its own when its reader allows.
    private func sides<Element>(
        _ context: PassContext, source: ClosureChunks<Element>, target: ClosureChunks<Element>
    ) -> (ChunkSide<Element>, ChunkSide<Element>) {
        (
            ChunkSide(source, readAhead: context.sourceReader.readsAhead, name: "reconcile.src"),
            ChunkSide(target, readAhead: context.reader.readsAhead, name: "reconcile.tgt")
        )
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
    ) async throws {
        guard !window.isEmpty else { return }
        let targetIDs = window.compactMap { step -> String? in
            switch step {
            case .target(let entry), .both(_, let entry): entry.id
            case .source: nil
            }
        }
        let owned = try ledger.owned(targetIDs, kind: kind)
        var decisions: [(id: String, Decision)] = []
        for step in window {
            let id: String
            switch step {
            case .source(let entry), .target(let entry), .both(let entry, _): id = entry.id
            }
            let decision = rules.decide(step, kind: kind, managed: owned.contains(id), report: &report)
            if !decision.ops.isEmpty { decisions.append((id, decision)) }
        }
        try await carryOut(decisions, kind, &context, &report)
    }

    /// Applies (or, while planning, counts and keeps) decisions, with their ledger changes.
    private func carryOut(
        _ decisions: [(id: String, Decision)], _ kind: ResourceKind, _ context: inout PassContext,
        _ report: inout DriftReport
    ) async throws {
        report.adopted += decisions.filter { $0.1.adopted }.count
        guard context.applying else {
            if context.kept?.keep(decisions, kind) == false { context.kept = nil }
            for (_, decision) in decisions where !decision.ops.contains(where: context.skip) {
                report.count(decision.ops)
            }
            return
        }
        try await apply(decisions, kind, &context, &report)
    }

    /// Applies decisions in one target transaction: created rows join the ledger before it,
    /// deleted rows leave it after it committed.
    private func apply(
        _ decisions: [(id: String, Decision)], _ kind: ResourceKind, _ context: inout PassContext,
        _ report: inout DriftReport
    ) async throws {
        var ops: [ResourceOp] = []
        var added: [LedgerEntry] = []
        var removed: [LedgerEntry] = []
        for (id, decision) in decisions {
            ops += decision.ops
            if decision.created || decision.adopted { added.append(LedgerEntry(kind: kind, id: id)) }
            if decision.removed { removed.append(LedgerEntry(kind: kind, id: id)) }
        }
        guard !ops.isEmpty else { return }
        try ledger.updateLedger(added: added, removed: [])
        let result = try await context.apply(ResourceOp.ordered(ops))
        report.count(result.applied)
        report.notApplied += result.refused
        report.waiting += result.waiting
        let deleted = Set(result.applied.compactMap { op -> String? in
            if case .delete(_, let id) = op { id } else { nil }
        })
        try ledger.updateLedger(added: [], removed: removed.filter { deleted.contains($0.id) })
    }

    /// Applies the plan's kept decisions, in the order the plan made them, instead of comparing
    /// both sides again: the plan's report with the repairs counted as applied.
    private func replay(_ kept: KeptRepairs, plan: DriftReport, _ context: inout PassContext) async throws -> DriftReport {
        var report = plan
        report.repairs = [:]
        var done = 0
        for batch in kept.batches {
            try await apply(batch.decisions, batch.kind, &context, &report)
            done += batch.decisions.count
            context.progress?(ReconcileProgress(phase: "repairing", rows: done, expected: kept.decisionCount))
        }
        return report
    }

    private func parents(_ context: inout PassContext, _ report: inout DriftReport) async throws {
        guard source.groupMapper != nil, target.groupMapper != nil else { return }
        typealias Parent = (id: String, parent: String?)
        let (sourceChunks, targetChunks) = sides(
            context,
            source: try context.sourceReader.parents(chunkSize: context.options.chunkSize, order: context.orders.groups),
            target: try context.reader.parents(chunkSize: context.options.chunkSize, order: context.orders.groups))
        defer {
            sourceChunks.stop()
            targetChunks.stop()
        }
        var join = MergeJoin(
            source: sourceChunks, sourceName: context.sourceReader.name(.group), sourceKey: { (entry: Parent) in entry.id },
            target: targetChunks, targetName: context.reader.name(.group), targetKey: { (entry: Parent) in entry.id },
            compare: context.orders.groups.compare)
        var window: [(Parent, Parent)] = []
        var moves: [(id: String, Decision)] = []
        var rows = 0
        func keepMoves(_ context: inout PassContext) {
            if context.kept?.keep(moves, .group) == false { context.kept = nil }
            moves.removeAll(keepingCapacity: true)
        }
        func flush(_ context: inout PassContext, _ report: inout DriftReport) async throws {
            let differing = window.filter { $0.0.parent != $0.1.parent }
            guard !differing.isEmpty else { return }
            let owned = try ledger.owned(differing.map(\.0.id), kind: .group)
            var decisions: [(id: String, Decision)] = []
            for (sourceGroup, targetGroup) in differing {
                let decision = rules.decideParent(
                    groupID: sourceGroup.id, source: sourceGroup.parent, target: targetGroup.parent,
                    managed: owned.contains(sourceGroup.id), report: &report)
                if !decision.ops.isEmpty { decisions.append((sourceGroup.id, decision)) }
            }
            try await carryOut(decisions, .group, &context, &report)
        }
        while let step = try join.next() {
            rows += 1
            if case .source(let sourceGroup) = step, !context.applying, let parent = sourceGroup.parent {
                // A group the plan creates is created without its parent, which the repairs
                // set once it exists. Applying the kept plan compares nothing again, so the
                // plan keeps that move too (the group is scimsync's: this pass creates it).
                moves.append((sourceGroup.id, Decision(ops: [.moveParent(groupID: sourceGroup.id, parentID: parent)])))
                if moves.count >= context.options.chunkSize { keepMoves(&context) }
                continue
            }
            guard case .both(let sourceGroup, let targetGroup) = step else { continue }
            window.append((sourceGroup, targetGroup))
            if window.count >= context.options.chunkSize {
                try await flush(&context, &report)
                window.removeAll(keepingCapacity: true)
                announce(context, "parents", rows, nil)
            }
        }
        try await flush(&context, &report)
        keepMoves(&context)
    }

    private func memberships(_ context: inout PassContext, _ report: inout DriftReport) async throws {
        let order = context.orders.memberships
        let (sourceChunks, targetChunks) = sides(
            context,
            source: try context.sourceReader.memberships(chunkSize: context.options.chunkSize, order: order),
            target: try context.reader.memberships(chunkSize: context.options.chunkSize, order: order))
        defer {
            sourceChunks.stop()
            targetChunks.stop()
        }
        var join = MergeJoin(
            source: sourceChunks, sourceName: context.sourceReader.membershipsName, sourceKey: { $0 },
            target: targetChunks, targetName: context.reader.membershipsName, targetKey: { $0 },
            compare: { order.compare($0, $1) })
        var window: [(Membership, inSource: Bool)] = []
        var rows = 0
        let scope = context.sourceReader.membershipGroups
        func flush(_ context: inout PassContext, _ report: inout DriftReport) async throws {
            guard !window.isEmpty else { return }
            let users = Array(Set(window.map(\.0.userID)))
            let owned = try ledger.owned(users, kind: .user)
            // A user the target lacks is one this pass creates (or created): its memberships are
            // scimsync's too. The target's connection is the read-ahead's meanwhile.
            let unowned = users.filter { !owned.contains($0) }
            let reader = context.reader
            let present: Set<String> = try unowned.isEmpty ? [] : targetChunks.exclusive { try reader.existingUserIDs(unowned) }
            var decisions: [(id: String, Decision)] = []
            for (membership, inSource) in window {
                let managed = owned.contains(membership.userID) || !present.contains(membership.userID)
                let decision = rules.decideMembership(membership, inSource: inSource, managed: managed, report: &report)
                if !decision.ops.isEmpty { decisions.append((membership.userID, decision)) }
            }
            // Memberships join no ledger: they belong to their user.
            try await carryOut(decisions.map { ($0.id, Decision(ops: $0.1.ops)) }, .user, &context, &report)
        }
        while let step = try join.next() {
            rows += 1
            switch step {
            case .both: continue
            case .source(let membership): window.append((membership, true))
            case .target(let membership):
                // A membership in a group the source does not decide is not the source's to remove.
                if let scope, !scope.contains(membership.groupID) { continue }
                window.append((membership, false))
            }
            if window.count >= context.options.chunkSize {
                try await flush(&context, &report)
                window.removeAll(keepingCapacity: true)
                announce(context, "memberships", rows, nil)
            }
        }
        try await flush(&context, &report)
    }
}

extension DirectoryLayout {
    /// Whether the layout keeps memberships (a relation table or a users row's group column).
    public var hasMemberships: Bool { membership != nil || users.group != nil }
}

extension MergeStep where S == DirectoryEntry {
    /// The id and reason of a source row the map could not convert, if this step has one.
    var unreadableSource: (id: String, reason: String)? {
        switch self {
        case .source(let entry), .both(let entry, _): entry.unreadable.map { (entry.id, $0) }
        case .target: nil
        }
    }

    /// How many rows the step holds.
    var sides: Int {
        if case .both = self { return 2 }
        return 1
    }
}
