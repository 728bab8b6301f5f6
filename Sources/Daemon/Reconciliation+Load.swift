import Connectors
import Directory
import OffsetStore
import Reconcile
import Synchronization

extension Reconciliation {
    /// `scimsync reconcile` into an empty target, where a pass could only create: the target
    /// kind's load path, as the daemon's first load takes it (bulk writes, the next chunk read
    /// while one is written, a second connection where the target takes two writers), with
    /// the report a pass would give: what it created by kind, the first differences
    /// (`missing in target`, `missing membership`), the source's sizes. Groups' parents are
    /// set as part of creating the groups, as a pass does, not counted as repairs. Nil when
    /// the source kind has no load phases: the pass does the work then.
    static func loadIntoEmptyTarget(
        _ snapshot: any SourceSnapshot, connector: any TargetConnector, pipeline: String, store: OffsetStore,
        log: StoreOffsetLog, detailLimit: Int, progress: (@Sendable (ReconcileProgress) -> Void)?
    ) async throws -> ReconcileOutcome? {
        guard let phases = try snapshot.loadPhases(chunkSize: LoadPhase.chunkSize) else { return nil }
        let counts = PhaseReports(phases.count, detailLimit: detailLimit)
        let counted = phases.enumerated().map { index, phase in
            // A phase read again from its start (a faster way given up part-way) counts once.
            if let rows = phase.rows {
                // Counted as rows, whichever way the target reads the phase.
                return LoadPhase(
                    name: phase.name,
                    rows: LoadRows(mapper: rows.mapper) {
                        counts.restart(index)
                        let next = rows.read()
                        return {
                            let chunk = try next()
                            if let chunk {
                                let read = try counts.note(chunk, of: rows.mapper, phase: index)
                                progress?(ReconcileProgress(phase: "loading " + phase.name, rows: read, expected: nil))
                            }
                            return chunk
                        }
                    })
            }
            return LoadPhase(name: phase.name, creates: phase.creates) {
                counts.restart(index)
                let next = phase.read()
                return {
                    let chunk = try next()
                    if let chunk {
                        let rows = counts.note(chunk, phase: index)
                        progress?(ReconcileProgress(phase: "loading " + phase.name, rows: rows, expected: nil))
                    }
                    return chunk
                }
            }
        }
        let runID = try store.startRun(pipeline: pipeline, kind: "reconcile")
        do {
            let outcome = try await connector.load(counted) { entries in
                try store.recordCreated(entries, pipeline: pipeline)
            }
            try log.keep(outcome, applied: [])
            var report = counts.merged()
            report.setAside(outcome)
            try store.finishRun(runID, ops: report.runLogCounts, error: nil)
            return report.totalRepairs > 0 ? .repaired(report) : .clean(report)
        } catch {
            try? store.finishRun(runID, ops: [:], error: "\(error)")
            throw error
        }
    }
}

/// Each load phase's part of the report, kept apart so that a phase read again replaces its
/// part instead of adding to it, with the rows each phase has read. Its readers run on the
/// load's reading thread, the report is taken on the caller's.
private final class PhaseReports: Sendable {
    private let parts: Mutex<[(report: DriftReport, rows: Int)]>

    init(_ count: Int, detailLimit: Int) {
        parts = Mutex(Array(repeating: (DriftReport(detailLimit: detailLimit), 0), count: count))
    }

    func restart(_ phase: Int) {
        parts.withLock { $0[phase] = (DriftReport(detailLimit: $0[phase].report.detailLimit), 0) }
    }

    /// Counts `chunk` in `phase`; returns the rows the phase has read so far.
    func note(_ chunk: [ResourceOp], phase: Int) -> Int {
        parts.withLock { parts in
            for op in chunk {
                switch op {
                case .create(let kind, _):
                    guard let entry = op.createdEntry else { continue }
                    parts[phase].report.noteMissing(kind, id: entry.id)
                case .addMember(let group, let user):
                    parts[phase].report.note(
                        Difference(resource: "Membership", id: "user \(user) in group \(group)", change: "missing membership"))
                default:
                    // A group's parent, set after every group exists: part of creating it.
                    continue
                }
                parts[phase].report.count(CollectionOfOne(op))
            }
            parts[phase].rows += chunk.count
            return parts[phase].rows
        }
    }

    /// Counts `rows`, each a resource `mapper` creates, in `phase`; returns the rows the phase
    /// has read so far. Throws the map's error for a row without an id, as mapping the row
    /// would.
    func note(_ rows: [Row], of mapper: RowMapper, phase: Int) throws -> Int {
        var ids: [String] = []
        ids.reserveCapacity(rows.count)
        for row in rows { ids.append(try mapper.id(in: row)) }
        let kind = mapper.kind
        let repair: RepairKind = kind == .user ? .createUser : .createGroup
        return parts.withLock { parts in
            for id in ids { parts[phase].report.noteMissing(kind, id: id) }
            parts[phase].report.repairs[repair, default: 0] += ids.count
            parts[phase].rows += rows.count
            return parts[phase].rows
        }
    }

    /// The phases' parts as one report, differences in the order the phases ran.
    func merged() -> DriftReport {
        parts.withLock { parts in
            var report = DriftReport(detailLimit: parts.first?.report.detailLimit ?? 20)
            for (part, _) in parts {
                for (kind, count) in part.repairs { report.repairs[kind, default: 0] += count }
                report.sourceUsers += part.sourceUsers
                report.sourceGroups += part.sourceGroups
                report.differenceCount += part.differenceCount
                report.differences += part.differences.prefix(report.detailLimit - report.differences.count)
            }
            return report
        }
    }
}

extension DriftReport {
    /// Moves what the load's target refused or parked out of the creations counted as they
    /// were read: into ``DriftReport/notApplied``.
    fileprivate mutating func setAside(_ outcome: ApplyOutcome) {
        for resource in outcome.quarantined {
            let kind: RepairKind =
                switch resource.kind {
                case "User": .createUser
                case "Group": .createGroup
                default: .addMember
                }
            guard repairs[kind, default: 0] > 0 else { continue }
            repairs[kind, default: 0] -= 1
            notApplied += 1
        }
        for parked in outcome.parked where repairs[RepairKind(parked.op), default: 0] > 0 {
            repairs[RepairKind(parked.op), default: 0] -= 1
            waiting += 1
        }
    }

    /// A source resource the empty target lacks: counted with the source's size, and noted.
    fileprivate mutating func noteMissing(_ kind: ResourceKind, id: String) {
        if kind == .user { sourceUsers += 1 } else { sourceGroups += 1 }
        note(Difference(resource: kind.rawValue, id: id, change: "missing in target"))
    }
}
