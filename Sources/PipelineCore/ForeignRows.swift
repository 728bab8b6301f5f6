import Connectors
import Directory

/// The stream's share of "scimsync never changes or deletes target rows it did not create
/// unless the pipeline is configured to adopt them" (DESIGN.md, "Ownership"). A
/// reconciliation pass compares, so it sees such rows; the stream writes a SQL table by id
/// (``Connectors/Target/mayHoldForeignRows``), so a source row whose id a foreign row holds
/// would be written over it. Before a batch, the runner asks the target which of the users
/// and groups the ledger lacks it holds: an operation on one of them is quarantined with
/// what to do, and the rest of the batch is applied.
enum ForeignRows {
    /// The user or group whose ownership decides whether `op` may be applied: for a
    /// membership, its user, as a reconciliation pass decides.
    static func owner(of op: ResourceOp) -> LedgerEntry {
        switch op {
        case .create(let kind, let resource): LedgerEntry(kind: kind, id: resource.id ?? "")
        case .patch(let kind, let id, _), .delete(let kind, let id): LedgerEntry(kind: kind, id: id)
        case .deactivate(let id), .reactivate(let id): LedgerEntry(kind: .user, id: id)
        case .addMember(_, let user), .removeMember(_, let user): LedgerEntry(kind: .user, id: user)
        case .moveParent(let group, _): LedgerEntry(kind: .group, id: group)
        }
    }

    /// What ``sort(_:held:in:)`` decided of a batch.
    struct Verdict: Sendable {
        /// The operations to apply.
        var kept: [ResourceOp]
        /// A quarantine record for each user, group or membership left out.
        var refused: [QuarantinedResource]
        /// Users and groups the target holds that the ledger has: scimsync's.
        var owned: Set<LedgerEntry>
        /// Users and groups the kept operations create that the ledger may lack: they must
        /// join it before the batch commits on the target.
        var created: [LedgerEntry]
    }

    /// Sorts `ops` by whose their rows are, `held` being the users and groups they touch that
    /// the target holds (of those not known to be scimsync's): an operation on one the ledger
    /// lacks is left out. The caller records the kept operations' creates (``Verdict/created``)
    /// in the ledger before the batch commits on the target, so that a batch replayed after a
    /// crash between that COMMIT and the offset store's finds its own rows owned, not foreign;
    /// one the ledger has already (a stale entry of a row deleted since) is recorded again,
    /// which changes nothing and costs less than reading first.
    static func sort(_ ops: [ResourceOp], held: Set<LedgerEntry>, in log: any OffsetLog) throws -> Verdict {
        // Most are new ids, which the target does not have: whose they are matters only for
        // those it has.
        let owned = held.isEmpty ? [] : try log.owned(held)
        let (kept, refused) = leaving(held.subtracting(owned), outOf: ops)
        let created = kept.compactMap(\.createdEntry).filter { !owned.contains($0) }
        return Verdict(kept: kept, refused: refused, owned: owned, created: created)
    }

    /// `ops` without those whose owner is in `foreign`, and one quarantine record for each
    /// user, group or membership left out.
    static func leaving(_ foreign: Set<LedgerEntry>, outOf ops: [ResourceOp]) -> (
        kept: [ResourceOp], refused: [QuarantinedResource]
    ) {
        guard !foreign.isEmpty else { return (ops, []) }
        var kept: [ResourceOp] = []
        var refused: [QuarantinedResource] = []
        var named: Set<QuarantineSubject> = []
        for op in ops {
            let owner = owner(of: op)
            guard foreign.contains(owner) else {
                kept.append(op)
                continue
            }
            let subject = QuarantineSubject(op)
            if named.insert(subject).inserted {
                refused.append(QuarantinedResource(kind: subject.kind, id: subject.id, reason: reason(owner, for: subject)))
            }
        }
        return (kept, refused)
    }

    /// Why an operation was left out, and the two ways to let it through.
    static func reason(_ owner: LedgerEntry, for subject: QuarantineSubject) -> String {
        let row =
            if case .membership = subject {
                "the target has this membership's \(owner.kind.rawValue), a row scimsync did not create"
            } else {
                "the target has a \(owner.kind.rawValue) of this id that scimsync did not create"
            }
        return "\(row): it is left as it is (adopt: false); remove that row from the target, or set adopt: true to take it over"
    }
}

/// Users and groups the runner saw in the ledger lately (read there, or created by its own
/// stream), so that a batch changing them reads neither the ledger nor the target: most
/// batches change rows that scimsync already wrote. Bounded: forgotten whole when full, and
/// learnt again.
///
/// It can only be stale one way: an entry a reconciliation pass took out of the ledger when it
/// deleted the row. A change to such a row then finds no row to change, and a create is never
/// answered from here.
struct KnownOwned {
    static let limit = 100_000
    private var entries: Set<LedgerEntry> = []

    func contains(_ entry: LedgerEntry) -> Bool { entries.contains(entry) }

    mutating func insert(_ new: some Collection<LedgerEntry>) {
        if entries.count + new.count > Self.limit { entries.removeAll(keepingCapacity: true) }
        entries.formUnion(new)
    }

    mutating func remove(_ entry: LedgerEntry) { entries.remove(entry) }

    mutating func forget() { entries.removeAll() }
}
