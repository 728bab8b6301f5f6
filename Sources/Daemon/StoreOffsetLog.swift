import Connectors
import Directory
import Logging
import OffsetStore
import PipelineCore

/// A pipeline's share of the offset store, as the runner sees it.
struct StoreOffsetLog: OffsetLog {
    let store: OffsetStore
    let pipeline: String
    /// Whether journal records keep the values written (`journal.values`).
    var journalValues = false
    /// Where a load's or a pass's refused rows are said, one line each, as the stream's are
    /// (``DaemonObserver``); nil for the command line, which prints them.
    var logger: Logger?

    /// Operations waiting for a row, and resources the target refused.
    var counts: (parked: Int, quarantined: Int) {
        get throws {
            (try store.parkedCount(pipeline: pipeline), try store.quarantinedCount(pipeline: pipeline))
        }
    }

    var keepsJournal: Bool { store.keepsJournal }

    func position() throws -> SourcePosition? {
        try store.position(pipeline: pipeline)
    }

    func setPausedForMapping(_ reason: String?) throws {
        try store.setPausedForMapping(reason, pipeline: pipeline)
    }

    func pausedForMapping() throws -> String? {
        try store.pausedForMapping(pipeline: pipeline)
    }

    func commit(_ position: SourcePosition, sourceTime: Int64?, applied ops: [ResourceOp]) throws {
        try store.commit(
            position: position, pipeline: pipeline, sourceTime: sourceTime, created: ops.compactMap(\.createdEntry),
            removed: ops.compactMap(\.deletedEntry))
    }

    func commit(
        _ position: SourcePosition, sourceTime: Int64?, applied ops: [ResourceOp], journal: [JournalRecord],
        creationsRecorded: Bool
    ) throws {
        try store.commit(
            position: position, pipeline: pipeline, sourceTime: sourceTime,
            created: creationsRecorded ? [] : ops.compactMap(\.createdEntry),
            removed: ops.compactMap(\.deletedEntry), journal: journal)
    }

    func record(applied ops: [ResourceOp], journal: [JournalRecord]) throws {
        try record(applied: ops)
        try store.appendJournal(journal, pipeline: pipeline, origin: "stream")
    }

    func record(applied ops: [ResourceOp]) throws {
        try store.updateLedger(
            added: ops.compactMap(\.createdEntry), removed: ops.compactMap(\.deletedEntry), pipeline: pipeline)
    }

    func owned(_ entries: Set<LedgerEntry>) throws -> Set<LedgerEntry> {
        var owned: Set<LedgerEntry> = []
        for kind in ResourceKind.allCases {
            let ids = entries.filter { $0.kind == kind }.map(\.id)
            for id in try store.owned(ids, kind: kind, pipeline: pipeline) { owned.insert(LedgerEntry(kind: kind, id: id)) }
        }
        return owned
    }

    func recordCreated(_ entries: [LedgerEntry]) throws {
        try store.recordCreated(entries, pipeline: pipeline)
    }

    func hold(_ reason: String) throws {
        try store.setHold(pipeline: pipeline, reason: reason)
    }

    func holdApproved() throws -> Bool {
        try store.hold(pipeline: pipeline)?.approved == true
    }

    func clearHold() throws {
        try store.clearHold(pipeline: pipeline)
    }

    func park(_ operations: [ParkedOperation]) throws {
        for operation in operations {
            try store.park(
                pipeline: pipeline, key: operation.key, op: operation.op, waitingFor: operation.waitingFor,
                id: operation.waitingID, reason: operation.reason)
        }
    }

    func parked() throws -> [ParkedOperation] {
        try store.parked(pipeline: pipeline).map {
            ParkedOperation(op: $0.op, reason: $0.reason, key: $0.key, waitingFor: $0.waitingKind, waitingID: $0.waitingID)
        }
    }

    func unpark(_ operations: [ParkedOperation]) throws {
        try store.unpark(pipeline: pipeline, keys: operations.map(\.key))
    }

    func quarantine(_ resources: [QuarantinedResource], applied ops: [ResourceOp]) throws {
        try quarantine(resources, applied: ops, comparedWhole: false)
    }

    /// - Parameter comparedWhole: the operations come from a pass that compared each resource
    ///   whole with the source: any of them leaves its resource as the source has it, and
    ///   lifts its quarantine whatever was refused.
    private func quarantine(_ resources: [QuarantinedResource], applied ops: [ResourceOp], comparedWhole: Bool) throws {
        let refused = Set(resources.map { "\($0.kind) \($0.id)" })
        // Named lazily: the store reads them only when the pipeline's quarantine holds rows,
        // which it nearly never does, and naming every applied operation of every batch cost
        // more than the rest of this call.
        // A PATCH lifts only the quarantine of a refused PATCH whose attributes it covers.
        let released = ops.lazy.map { (subject: QuarantineSubject($0), covers: comparedWhole ? nil : $0.patchedAttributes) }
            .filter { !refused.contains("\($0.subject.kind) \($0.subject.id)") }
            .map { (kind: $0.subject.kind, id: $0.subject.id, covers: $0.covers) }
        if !ops.isEmpty {
            try store.clearQuarantine(pipeline: pipeline, covering: released)
        }
        for resource in resources {
            try store.quarantine(
                pipeline: pipeline, kind: resource.kind, id: resource.id, reason: resource.reason,
                attributes: resource.attributes)
        }
    }

    /// Keeps what a load or a pass could not apply: the parked operations, and the rows the
    /// target refused (those of `applied` it took are released from quarantine); and
    /// journals what became of each of `applied` as done by `origin` (`load`, `reconcile`).
    func keep(_ outcome: ApplyOutcome, applied ops: [ResourceOp], origin: String = "reconcile") throws {
        try park(outcome.parked)
        try quarantine(outcome.quarantined, applied: ops, comparedWhole: true)
        if let logger { DaemonObserver.say(outcome.quarantined, to: logger, origin: origin) }
        guard store.keepsJournal else { return }
        try store.appendJournal(
            JournalRecord.records(of: ops, outcome: outcome, unmapped: [], keepValues: journalValues), pipeline: pipeline,
            origin: origin)
    }
}
