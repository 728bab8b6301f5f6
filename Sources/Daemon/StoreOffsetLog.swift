import Connectors
import Directory
import OffsetStore
import PipelineCore
import Synchronization

/// A pipeline's share of the offset store, as the runner sees it.
final class StoreOffsetLog: OffsetLog {
    let store: OffsetStore
    let pipeline: String
    /// Parked operations and quarantined resources, in memory for this run.
    private let waiting = Mutex<[ParkedOperation]>([])
    private let refused = Mutex<[LedgerEntry: String]>([:])

    init(store: OffsetStore, pipeline: String) {
        self.store = store
        self.pipeline = pipeline
    }

    /// Operations waiting for a row, and resources the target refused.
    var counts: (parked: Int, quarantined: Int) {
        (waiting.withLock { $0.count }, refused.withLock { $0.count })
    }

    func position() throws -> SourcePosition? {
        try store.position(pipeline: pipeline)
    }

    func commit(_ position: SourcePosition, sourceTime: Int64?, applied ops: [ResourceOp]) throws {
        try store.commit(
            position: position, pipeline: pipeline, sourceTime: sourceTime, created: ops.compactMap(\.createdEntry),
            removed: ops.compactMap(\.deletedEntry))
    }

    func record(applied ops: [ResourceOp]) throws {
        try store.updateLedger(
            added: ops.compactMap(\.createdEntry), removed: ops.compactMap(\.deletedEntry), pipeline: pipeline)
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
        waiting.withLock { parked in
            for operation in operations where !parked.contains(where: { $0.op == operation.op }) {
                parked.append(operation)
            }
        }
    }

    func parked() throws -> [ParkedOperation] {
        waiting.withLock { $0 }
    }

    func unpark(_ ops: [ResourceOp]) throws {
        waiting.withLock { parked in parked.removeAll { ops.contains($0.op) } }
    }

    func quarantine(_ resources: [QuarantinedResource], applied ops: [ResourceOp]) throws {
        refused.withLock { refused in
            for entry in ops.compactMap(\.subjectEntry) { refused[entry] = nil }
            for resource in resources { refused[LedgerEntry(kind: resource.kind, id: resource.id)] = resource.reason }
        }
    }
}

extension ResourceOp {
    /// The resource an operation writes, for releasing it from quarantine once it applied.
    var subjectEntry: LedgerEntry? {
        switch self {
        case .create(let kind, let resource): resource.id.map { LedgerEntry(kind: kind, id: $0) }
        case .patch(let kind, let id, _): LedgerEntry(kind: kind, id: id)
        default: nil
        }
    }
}
