import Connectors
import Directory

/// A SCIM service provider as a pipeline's stream applies through it: async all the way down
/// (no thread waits on a semaphore while a request is in flight). An operation the provider
/// refuses comes back quarantined; a provider that is down fails the batch, which is retried.
final class SCIMStreamTarget: Target {
    private let target: SCIMTarget

    init(_ target: SCIMTarget) {
        self.target = target
    }

    func apply(_ ops: [ResourceOp]) async throws -> ApplyOutcome {
        let report = try await target.apply(ops)
        return ApplyOutcome(
            quarantined: report.refused.map {
                QuarantinedResource(kind: $0.subject.kind, id: $0.subject.id, reason: $0.reason, attributes: $0.attributes)
            })
    }

    /// The provider's resources scimsync knows (its map of provider ids): a share of the
    /// provider's own count would count what scimsync may never remove.
    func resourceCount() async throws -> Int {
        try target.ids.count(.user) + target.ids.count(.group)
    }
}
