import Directory

/// What a reconciliation does or would do, by kind of operation.
public enum RepairKind: String, Sendable, Hashable, CaseIterable, Comparable {
    case createGroup, patchGroup, deleteGroup, moveParent
    case createUser, patchUser, deleteUser, deactivateUser, reactivateUser
    case addMember, removeMember

    /// The kind of `op`.
    public init(_ op: ResourceOp) {
        switch op {
        case .create(.user, _): self = .createUser
        case .create(.group, _): self = .createGroup
        case .patch(.user, _, _): self = .patchUser
        case .patch(.group, _, _): self = .patchGroup
        case .delete(.user, _): self = .deleteUser
        case .delete(.group, _): self = .deleteGroup
        case .deactivate: self = .deactivateUser
        case .reactivate: self = .reactivateUser
        case .addMember: self = .addMember
        case .removeMember: self = .removeMember
        case .moveParent: self = .moveParent
        }
    }

    /// Whether the operation takes a resource away from the target (the safety limit counts
    /// these).
    public var isRemoval: Bool {
        self == .deleteUser || self == .deleteGroup || self == .deactivateUser
    }

    public static func < (lhs: RepairKind, rhs: RepairKind) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// One difference between source and target, as a report shows it.
public struct Difference: Sendable, Hashable {
    /// `User`, `Group` or `Membership`.
    public var resource: String
    /// The user or group id; for a membership `user 7 in group 3`.
    public var id: String
    /// What differs: `missing in target`, `not in source`, `attribute`, `inactive in target`,
    /// `parent`, `missing membership`, `extra membership`.
    public var change: String
    public var attribute: String?
    public var source: String?
    public var target: String?
    /// False when the target row is not scimsync's (not in the ledger, no `adopt`): reported,
    /// never repaired.
    public var managed: Bool

    public init(
        resource: String, id: String, change: String, attribute: String? = nil, source: String? = nil,
        target: String? = nil, managed: Bool = true
    ) {
        self.resource = resource
        self.id = id
        self.change = change
        self.attribute = attribute
        self.source = source
        self.target = target
        self.managed = managed
    }
}

/// The outcome of a reconciliation pass: counts by repair kind, unmanaged rows, the first
/// differences in detail, and the sizes of both sides.
public struct DriftReport: Sendable, Hashable {
    public var repairs: [RepairKind: Int] = [:]
    /// Target rows that differ from the source but are not scimsync's, by resource kind.
    public var unmanaged: [String: Int] = [:]
    /// The first ``detailLimit`` differences.
    public var differences: [Difference] = []
    /// How many differences were found, unmanaged ones included (``differences`` holds the
    /// first of them).
    public var differenceCount = 0
    public var detailLimit: Int
    public var sourceUsers = 0
    public var sourceGroups = 0
    public var targetUsers = 0
    public var targetGroups = 0
    /// Target rows that joined the ledger through `adopt: true`.
    public var adopted = 0
    /// Repairs the target refused (quarantined): not counted in ``repairs``.
    public var notApplied = 0
    /// Repairs waiting for a row the target lacks (parked, applied when it arrives): not
    /// counted in ``repairs``.
    public var waiting = 0
    /// Source rows the map cannot convert: left as the target has them, each noted as a
    /// difference.
    public var unreadable = 0

    public init(detailLimit: Int = 20) {
        self.detailLimit = detailLimit
    }

    /// Deletes and deactivations.
    public var removals: Int {
        repairs.filter { $0.key.isRemoval }.reduce(0) { $0 + $1.value }
    }

    /// Whether the pass has anything to repair. Unmanaged rows are not drift: scimsync may
    /// not change them, so no pass would, and a dry run that counted them would never come
    /// back clean while the real pass says there is nothing to do.
    public var hasDrift: Bool {
        repairs.values.contains { $0 > 0 }
    }

    /// How many target rows differ from the source but are left alone (not scimsync's).
    public var unmanagedRows: Int { unmanaged.values.reduce(0, +) }

    public var totalRepairs: Int { repairs.values.reduce(0, +) }

    /// The repair counts as the run log keeps them.
    public var runLogCounts: [String: Int] {
        var counts = Dictionary(uniqueKeysWithValues: repairs.filter { $0.value > 0 }.map { ($0.key.rawValue, $0.value) })
        if notApplied > 0 { counts["notApplied"] = notApplied }
        if waiting > 0 { counts["waiting"] = waiting }
        if unreadable > 0 { counts["unreadable"] = unreadable }
        return counts
    }

    /// Adds `ops` to the repair counts.
    public mutating func count(_ ops: some Sequence<ResourceOp>) {
        for op in ops { repairs[RepairKind(op), default: 0] += 1 }
    }

    /// Counts `difference` and keeps it when fewer than ``detailLimit`` are kept; it is made
    /// only then (a pass or a load may count millions, of which the report keeps a few).
    public mutating func note(_ difference: @autoclosure () -> Difference) {
        differenceCount += 1
        if differences.count < detailLimit { differences.append(difference()) }
    }
}
