import Connectors
import Directory
import OffsetStore
import SCIMTarget

/// A SCIM service provider as the pipeline's ``Connectors/Target``: async all the way down
/// (no thread blocked on a semaphore while a request is in flight). Operations the provider
/// refuses one by one are skipped and logged by the SCIM target; a provider that is down
/// fails the batch, which is retried.
final class SCIMPushTarget: Target {
    private let target: SCIMTarget
    private let store: OffsetStore
    private let pipeline: String
    private let gate: PauseGate
    private let dirty: StreamDirtySet

    init(_ target: SCIMTarget, store: OffsetStore, pipeline: String, gate: PauseGate, dirty: StreamDirtySet) {
        self.target = target
        self.store = store
        self.pipeline = pipeline
        self.gate = gate
        self.dirty = dirty
    }

    func apply(_ ops: [ResourceOp]) async throws -> ApplyOutcome {
        try await gate.pass()
        try await target.apply(ops)
        dirty.mark(ops)
        return .applied
    }

    /// The provider's resources scimsync knows (its ledger of provider ids): a share of the
    /// provider's own count would count what scimsync may never remove.
    func resourceCount() async throws -> Int {
        try store.scimProviderIDCount(kind: .user, pipeline: pipeline)
            + store.scimProviderIDCount(kind: .group, pipeline: pipeline)
    }
}
