import Connectors
import Directory
import SQLClients

/// A blocking ``ReplicationTarget`` as the pipeline's async ``Connectors/Target``: every call
/// runs on the target's own queue. A reconciliation running beside the stream shares that
/// queue: the stream notes what it changed (the dirty set) in the same step as applying it,
/// and waits while a refused pass holds the pipeline (the gate).
final class QueuedTarget: Target {
    private let target: QueueConfined<any ReplicationTarget>
    private let gate: PauseGate
    private let dirty: StreamDirtySet

    init(_ target: QueueConfined<any ReplicationTarget>, gate: PauseGate, dirty: StreamDirtySet) {
        self.target = target
        self.gate = gate
        self.dirty = dirty
    }

    func apply(_ ops: [ResourceOp]) async throws -> ApplyOutcome {
        try await gate.pass()
        let dirty = self.dirty
        return try await target.run { target in
            let outcome = try target.applyReporting(ops)
            dirty.mark(ops)
            return outcome
        }
    }

    func resourceCount() async throws -> Int {
        try await target.run { try $0.resourceCount() }
    }
}
