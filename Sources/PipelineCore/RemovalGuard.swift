import Connectors
import Directory
import Reconcile

/// The stream's brake on mass removal: a transaction, or a window of transactions, that would
/// delete or deactivate more users and groups than `reconcile.maxRemovals` allows holds the
/// pipeline before anything of it is applied, until someone approves. The same limit guards a
/// reconciliation pass; Entra ID's accidental-deletion threshold and Okta's import safeguard
/// do the same for their provisioning.
///
/// A share is a share of the target's users and groups, as counted when the first removal
/// arrived and kept up to date from the stream's own creates and deletes. What adds up is the
/// net shrinkage (removals less creations), so that churn — users leaving and others joining,
/// or a row created and deleted within the window — is not mistaken for a mass removal. A share
/// always lets a handful through (`floor`), so that deleting one user of a ten-user directory is
/// not a mass removal; a count is taken as given; a share of 100% or more turns the brake off.
public struct RemovalGuard: Sendable {
    /// The configured limit.
    public enum Limit: Sendable, Hashable {
        case percent(Double)
        case count(Int)
    }

    public let limit: Limit
    /// The window over which removals add up.
    public let window: Duration
    /// Removals a share always lets through within one window.
    public let floor: Int
    /// Users and groups in the target.
    public private(set) var population: Int
    /// Applied batches' net shrinkage in the window, oldest first: when (time since the
    /// pipeline's clock started) and how much (removals less creations; negative for growth).
    private var recent: [(at: Duration, count: Int)] = []

    public init(limit: Limit, population: Int, window: Duration = .seconds(300), floor: Int = RemovalSafety.floor) {
        self.limit = limit
        self.population = max(population, 0)
        self.window = window
        self.floor = floor
    }

    /// How many removals one window may hold.
    public var allowed: Int {
        switch limit {
        case .count(let count): count
        case .percent(let percent): max(Int((Double(population) * percent / 100).rounded(.down)), floor)
        }
    }

    /// Why `ops`, arriving at `now`, must wait for approval; nil when they may be applied.
    /// - Parameter creationsCount: false when the batch's creates may overwrite what the
    ///   target has (``Connectors/SourceBatch/createsMayExist``): they offset no removal.
    public mutating func refusal(_ ops: [ResourceOp], at now: Duration, creationsCount: Bool = true) -> String? {
        let removals = Self.removals(in: ops)
        guard removals > 0, !isOff else { return nil }
        forget(before: now)
        let inWindow = max(recent.reduce(0) { $0 + $1.count }, 0)
        let shrinkage = removals - (creationsCount ? Self.creations(in: ops) : 0)
        guard inWindow + shrinkage > allowed else { return nil }
        let limitText: String
        switch limit {
        case .count(let count): limitText = "\(count)"
        case .percent(let percent): limitText = "\(Self.number(percent))% of \(population), at least \(floor)"
        }
        let minutes = Int(window.secondsValue / 60)
        return "the stream would remove (delete or deactivate) \(removals) users and groups"
            + (inWindow > 0 ? ", \(inWindow + shrinkage) within \(minutes) minutes," : "")
            + " more than reconcile.maxRemovals allows (\(limitText)): nothing of it applied; "
            + "check the source, then run `scimsync approve --pipeline NAME` to let it through"
    }

    /// Notes what an applied batch removed and created.
    public mutating func applied(_ ops: [ResourceOp], at now: Duration, creationsCount: Bool = true) {
        let shrinkage = Self.removals(in: ops) - (creationsCount ? Self.creations(in: ops) : 0)
        if shrinkage != 0 { recent.append((now, shrinkage)) }
        var created = 0
        var deleted = 0
        for op in ops {
            switch op {
            case .create: if creationsCount { created += 1 }
            case .delete: deleted += 1
            default: break
            }
        }
        population = max(population + created - deleted, 0)
    }

    /// An approved batch went through: the window starts afresh.
    public mutating func approvedAndApplied(_ ops: [ResourceOp], at now: Duration, creationsCount: Bool = true) {
        applied(ops, at: now, creationsCount: creationsCount)
        recent.removeAll()
    }

    /// Whether the limit allows everything (a share of 100% or more).
    public var isOff: Bool {
        if case .percent(let percent) = limit { return percent >= 100 }
        return false
    }

    /// Creations of users and groups.
    public static func creations(in ops: [ResourceOp]) -> Int {
        ops.reduce(0) { count, op in
            if case .create = op { return count + 1 }
            return count
        }
    }

    /// Deletions and deactivations of users and groups.
    public static func removals(in ops: [ResourceOp]) -> Int {
        ops.reduce(0) { count, op in
            switch op {
            case .delete, .deactivate: count + 1
            case .create, .patch, .reactivate, .addMember, .removeMember, .moveParent: count
            }
        }
    }

    private mutating func forget(before now: Duration) {
        recent.removeAll { now - $0.at > window }
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String((value * 100).rounded() / 100)
    }
}
