import Connectors
import Directory

/// What a batch did in a chat platform: what changed, what was taken over, and what could not
/// be written (refused, waiting, left out), each named by kind and source id, never by a value.
public struct ChatTargetReport: Sendable, Hashable {
    /// Calls that changed something.
    public var applied = 0
    /// Objects found in the platform and taken over (scimsync's own lost create, or `adopt`).
    public var adopted = 0
    /// Operations left out, with why (not scimsync's object, gone from the platform).
    public var skipped: [Skip] = []
    /// Resources the platform refused an operation of: the pipeline quarantines them.
    public var refused: [Refusal] = []
    /// Operations waiting for a user or department that is not in the platform yet.
    public var parked: [ParkedOperation] = []

    /// A resource the platform refused an operation of, with the platform's code and message.
    public struct Refusal: Sendable, Hashable {
        public var subject: QuarantineSubject
        public var reason: String

        public init(subject: QuarantineSubject, reason: String) {
            self.subject = subject
            self.reason = reason
        }
    }

    /// One operation left out: what it was (kind and source ids, no values) and why.
    public struct Skip: Sendable, Hashable {
        public var op: String
        public var reason: String
    }

    public init() {}

    mutating func skip(_ op: ResourceOp, _ reason: String) {
        skipped.append(Skip(op: op.label, reason: reason))
    }

    /// Parks `op` until `kind` `id` is in the platform.
    mutating func park(_ op: ResourceOp, waitingFor kind: ResourceKind, _ id: String) {
        parked.append(
            ParkedOperation(
                op: op, reason: "\(op.label) waits for \(kind.rawValue) \(id)",
                key: op.parkingKey(oneGroupPerUser: false), waitingFor: kind, waitingID: id))
    }

    /// What the pipeline keeps of it: the parked operations and the quarantined resources.
    public var outcome: ApplyOutcome {
        ApplyOutcome(
            parked: parked,
            quarantined: refused.map { QuarantinedResource(kind: $0.subject.kind, id: $0.subject.id, reason: $0.reason) })
    }
}
