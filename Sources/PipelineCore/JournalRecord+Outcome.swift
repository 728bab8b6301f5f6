import Connectors
import Directory

extension JournalRecord {
    /// What became of each of a batch's `ops` once the target applied it with `outcome`:
    /// parked, refused (quarantined, with the target's reason) or applied; and a record for
    /// each row the mapping refused (`unmapped`), which reached no target.
    public static func records(
        of ops: [ResourceOp], outcome: ApplyOutcome, unmapped: [QuarantinedResource], keepValues: Bool
    ) -> [JournalRecord] {
        let parked = Dictionary(outcome.parked.map { ($0.op, $0.reason) }, uniquingKeysWith: { first, _ in first })
        let refused = Dictionary(
            outcome.quarantined.map { ("\($0.kind) \($0.id)", $0.reason) }, uniquingKeysWith: { first, _ in first })
        // Nearly every batch applies whole: then no operation is hashed or named to be looked up.
        let allApplied = parked.isEmpty && refused.isEmpty
        var records = ops.map { op -> JournalRecord in
            if allApplied { return op.journalRecord(keepValues: keepValues) }
            if let reason = parked[op] {
                return op.journalRecord(outcome: .parked, reason: reason, keepValues: keepValues)
            }
            let subject = QuarantineSubject(op)
            if let reason = refused["\(subject.kind) \(subject.id)"] {
                return op.journalRecord(outcome: .quarantined, reason: reason, keepValues: keepValues)
            }
            return op.journalRecord(keepValues: keepValues)
        }
        for resource in unmapped {
            guard let kind = ResourceKind(rawValue: resource.kind) else { continue }
            records.append(JournalRecord(kind: kind, id: resource.id, action: "map", outcome: .quarantined, reason: resource.reason))
        }
        return records
    }
}
