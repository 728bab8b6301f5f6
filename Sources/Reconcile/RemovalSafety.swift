/// The brakes on a reconciliation pass: it must not remove more than a
/// share of the target, and it must not empty a target because the source reads as empty (a
/// wrong database, a truncated table, a failed restore). A refused pass applies nothing.
///
/// A share always lets a handful of removals through, the same on the stream (`RemovalGuard`):
/// 10% of a ten-user directory is one user, and a pass held for two would hold the catch-up
/// after every lost position of a small directory. A count is taken as given.
public enum RemovalSafety {
    /// Removals a share always lets through.
    public static let floor = 5

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
            allowed = max(Double(targetSize) * percent / 100, Double(floor))
            limitText = "\(Self.number(percent))% of \(targetSize), at least \(floor)"
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
