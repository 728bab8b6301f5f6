import Connectors

extension ApplyResult {
    /// What the pipeline keeps of a batch: the operations parked (a reference to a row the
    /// target lacks) and the rows refused, instead of a failed batch.
    public var outcome: ApplyOutcome {
        ApplyOutcome(
            parked: parked.map {
                ParkedOperation(
                    op: $0.op, reason: $0.description, key: $0.key, waitingFor: $0.waitingFor.kind,
                    waitingID: $0.waitingFor.id)
            },
            quarantined: quarantined.map {
                QuarantinedResource(
                    kind: $0.subject.kind, id: $0.subject.id, reason: $0.description, attributes: $0.op.patchedAttributes)
            })
    }
}
