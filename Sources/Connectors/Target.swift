import Directory
import Reconcile

/// Where a pipeline applies operations, whatever the target is (a SQL database, a SCIM service
/// provider). One `apply` is one target transaction where the target has transactions; every
/// operation is idempotent, so a batch replayed after a crash changes nothing more.
///
/// Used by one task at a time.
public protocol Target: AnyObject {
    /// Applies `ops` in order. An operation the target cannot apply yet (a reference to a row
    /// not there yet) comes back parked, one it refuses (a value too long, a NOT NULL) comes
    /// back quarantined; everything else is applied.
    /// - Throws: when the target itself failed (unreachable, a lost connection): nothing of the
    ///   batch may be assumed applied, and it is tried again.
    func apply(_ ops: [ResourceOp]) async throws -> ApplyOutcome

    /// Users and groups in the target: what a removal limit given as a share is a share of.
    func resourceCount() async throws -> Int

    /// Whether rows scimsync did not create may hold the ids it writes: a SQL table written by
    /// id. Then, unless the pipeline adopts such rows, the stream applies through
    /// ``apply(asking:vet:)``, which says which of the users and groups its ledger lacks are
    /// there before it writes to them. A SCIM
    /// service provider or a chat platform is addressed through scimsync's own map of their
    /// ids, which holds only what it created or took over.
    var mayHoldForeignRows: Bool { get }

    /// Asks which of `entries` the target holds, lets `vet` decide from that which operations
    /// to apply, and applies them: the question and the writes in one turn of the target, so
    /// that a batch pays one hand-over to the target's connection, not one per step. `vet`
    /// runs on the target's own thread and may block there (it reads the ledger). The write
    /// it starts (the ledger's record of what the batch creates) must end before the batch
    /// commits: a target with transactions runs its statements meanwhile and waits for it
    /// just before COMMIT, and commits nothing when it failed.
    /// - Returns: the operations `vet` kept, what else it decided, and what became of them.
    func apply<Verdict: Sendable>(
        asking entries: Set<LedgerEntry>,
        vet: @escaping @Sendable (_ held: Set<LedgerEntry>) throws -> Vetted<Verdict>
    ) async throws -> (ops: [ResourceOp], verdict: Verdict, outcome: ApplyOutcome)
}

/// What ``Target/apply(asking:vet:)``'s `vet` decided.
public struct Vetted<Verdict: Sendable>: Sendable {
    /// The operations to apply.
    public var ops: [ResourceOp]
    /// What else it decided, handed back to the caller.
    public var verdict: Verdict
    /// A write that must end before the operations commit, nil when there is none.
    public var beforeCommit: PendingWrite?

    public init(ops: [ResourceOp], verdict: Verdict, beforeCommit: PendingWrite? = nil) {
        self.ops = ops
        self.verdict = verdict
        self.beforeCommit = beforeCommit
    }
}

extension Target {
    /// A target addressed through scimsync's own ids holds no foreign row under them.
    public var mayHoldForeignRows: Bool { false }

    /// A target addressed through scimsync's own ids holds none of `entries` under them:
    /// `vet`, told so, its write waited for, then ``apply(_:)``.
    public func apply<Verdict: Sendable>(
        asking entries: Set<LedgerEntry>,
        vet: @escaping @Sendable (_ held: Set<LedgerEntry>) throws -> Vetted<Verdict>
    ) async throws -> (ops: [ResourceOp], verdict: Verdict, outcome: ApplyOutcome) {
        let vetted = try vet([])
        try await vetted.beforeCommit?.finished()
        return (vetted.ops, vetted.verdict, vetted.ops.isEmpty ? .applied : try await apply(vetted.ops))
    }
}

/// What an apply could not do.
public struct ApplyOutcome: Sendable, Hashable {
    /// Operations that wait for a row that is not there yet; applied when it arrives.
    public var parked: [ParkedOperation]
    /// Resources the target refused; the rest of the batch was applied.
    public var quarantined: [QuarantinedResource]

    public init(parked: [ParkedOperation] = [], quarantined: [QuarantinedResource] = []) {
        self.parked = parked
        self.quarantined = quarantined
    }

    /// Everything was applied.
    public static let applied = ApplyOutcome()

    /// Adds what another batch of the same load or pass could not do.
    public mutating func append(_ other: ApplyOutcome) {
        parked += other.parked
        quarantined += other.quarantined
    }
}

/// An operation waiting for the row it refers to.
public struct ParkedOperation: Sendable, Hashable {
    public var op: ResourceOp
    /// What is missing, e.g. "addMember waits for Group 42"; never personal data.
    public var reason: String
    /// What the operation decides (a membership, a user's group, a group's parent): parking
    /// the same key again replaces the earlier operation.
    public var key: String
    /// The resource whose arrival lets it apply.
    public var waitingFor: ResourceKind
    public var waitingID: String

    public init(op: ResourceOp, reason: String, key: String, waitingFor: ResourceKind, waitingID: String) {
        self.op = op
        self.reason = reason
        self.key = key
        self.waitingFor = waitingFor
        self.waitingID = waitingID
    }
}

/// A resource the target refused, with why (never its values: they may be personal data).
public struct QuarantinedResource: Sendable, Hashable {
    /// `User`, `Group` or `Membership`.
    public var kind: String
    /// The resource's id (`group user` for a membership).
    public var id: String
    public var reason: String
    /// For a refused PATCH, the top-level attributes it changed: a later change lifts the
    /// quarantine only if it covers them. Nil for a refusal of the whole resource.
    public var attributes: Set<String>?

    public init(kind: String, id: String, reason: String, attributes: Set<String>? = nil) {
        self.kind = kind
        self.id = id
        self.reason = reason
        self.attributes = attributes
    }
}

extension ApplyOutcome {
    /// The operations of `ops` the target carried out: not parked, not about a resource it
    /// refused. What a pass counts as repaired.
    public func carriedOut(_ ops: [ResourceOp]) -> [ResourceOp] {
        sorted(ops).carriedOut
    }

    /// `ops` sorted by what became of them, the parked and refused ones looked up in sets
    /// made once (a batch of thousands against a quarantine of thousands).
    func sorted(_ ops: [ResourceOp]) -> (carriedOut: [ResourceOp], refused: Int, waiting: Int) {
        guard !parked.isEmpty || !quarantined.isEmpty else { return (ops, 0, 0) }
        let waiting = Set(parked.map(\.op))
        let refusedSubjects = Set(quarantined.map { "\($0.kind) \($0.id)" })
        var carriedOut: [ResourceOp] = []
        var refused = 0
        var parkedCount = 0
        for op in ops {
            let subject = QuarantineSubject(op)
            if refusedSubjects.contains("\(subject.kind) \(subject.id)") {
                refused += 1
            } else if waiting.contains(op) {
                parkedCount += 1
            } else {
                carriedOut.append(op)
            }
        }
        return (carriedOut, refused, parkedCount)
    }
}

extension RepairsApplied {
    /// What applying `ops` came to, as `outcome` says.
    public init(_ outcome: ApplyOutcome, of ops: [ResourceOp]) {
        let sorted = outcome.sorted(ops)
        self.init(sorted.carriedOut, refused: sorted.refused, waiting: sorted.waiting)
    }
}
