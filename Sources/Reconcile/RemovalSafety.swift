/// The brakes on a reconciliation pass: it must not remove more than a
/// share of the target, and it must not empty a target because the source reads as empty (a
/// wrong database, a truncated table, a failed restore). A refused pass applies nothing.
public enum RemovalSafety {
    /// The most a pass may remove without `--force`.
    public enum Limit: Sendable, Hashable {
        case percent(Double)
        case count(Int)
    }

    /// Why `report`'s pass must not be applied, or nil when it may.
    public static func refusal(_ report: DriftReport, limit: Limit) -> String? {
        let sourceSize = report.sourceUsers + report.sourceGroups
        let targetSize = report.targetUsers + report.targetGroups
        if sourceSize == 0, targetSize > 0 {
            return "the source reads as empty (0 users, 0 groups) but the target has \(targetSize) "
                + "users and groups: refusing to remove them all (check the source's connection and "
                + "tables, or pass --force)"
        }
        let removals = report.removals
        guard removals > 0 else { return nil }
        let allowed: Double
        let limitText: String
        switch limit {
        case .count(let count):
            allowed = Double(count)
            limitText = "\(count)"
        case .percent(let percent):
            allowed = Double(targetSize) * percent / 100
            limitText = "\(Self.number(percent))% of \(targetSize) = \(Self.number(allowed))"
        }
        guard Double(removals) > allowed else { return nil }
        return "the pass would remove (delete or deactivate) \(removals) users and groups, more than "
            + "reconcile.maxRemovals allows (\(limitText)): nothing applied; check the source, then "
            + "run `scimsync reconcile --force` or `scimsync approve --pipeline NAME`"
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String((value * 100).rounded() / 100)
    }
}
