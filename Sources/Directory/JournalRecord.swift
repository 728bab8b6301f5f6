import SCIM

/// One operation as the operations journal keeps it: what was done to which resource and what
/// came of it. It names attributes, not their values, unless the pipeline keeps values
/// (`journal.values`): the journal then holds no personal data beyond ids.
public struct JournalRecord: Sendable, Hashable {
    /// What became of the operation.
    public enum Outcome: String, Sendable, Hashable, CaseIterable {
        /// The target committed it.
        case applied
        /// It waits for a row that is not there yet, and is applied when that row arrives.
        case parked
        /// The target refused the resource; the rest of its batch was applied.
        case quarantined
    }

    public var kind: ResourceKind
    /// The resource's id (for a membership change, the group's).
    public var id: String
    /// Another resource the operation names: the member of a membership change, the parent of
    /// a move.
    public var relatedID: String?
    /// `create`, `patch`, `delete`, `deactivate`, `reactivate`, `addMember`, `removeMember`,
    /// `moveParent`.
    public var action: String
    /// The attribute paths the operation sets or removes.
    public var attributes: [String]
    public var outcome: Outcome
    /// Why it was parked or refused, as the target said it (without values).
    public var reason: String?
    /// The operation as JSON, when values are kept.
    public var values: String?

    public init(
        kind: ResourceKind, id: String, relatedID: String? = nil, action: String, attributes: [String] = [],
        outcome: Outcome = .applied, reason: String? = nil, values: String? = nil
    ) {
        self.kind = kind
        self.id = id
        self.relatedID = relatedID
        self.action = action
        self.attributes = attributes
        self.outcome = outcome
        self.reason = reason
        self.values = values
    }
}

extension ResourceOp {
    /// The operation as a journal record with `outcome`; `keepValues` adds the operation's JSON.
    public func journalRecord(
        outcome: JournalRecord.Outcome = .applied, reason: String? = nil, keepValues: Bool = false
    ) -> JournalRecord {
        let (kind, id, relatedID, action, attributes): (ResourceKind, String, String?, String, [String]) =
            switch self {
            case .create(let kind, let resource):
                (kind, resource.id ?? "", nil, "create", resource.attributes.keys.filter { $0 != "id" && $0 != "schemas" })
            case .patch(let kind, let id, let operations):
                (kind, id, nil, "patch", operations.flatMap { operation in
                    operation.path.map { [$0.description] } ?? operation.value?.objectValue?.keys ?? []
                })
            case .delete(let kind, let id): (kind, id, nil, "delete", [])
            case .deactivate(let userID): (.user, userID, nil, "deactivate", ["active"])
            case .reactivate(let userID): (.user, userID, nil, "reactivate", ["active"])
            case .addMember(let groupID, let userID): (.group, groupID, userID, "addMember", ["members"])
            case .removeMember(let groupID, let userID): (.group, groupID, userID, "removeMember", ["members"])
            case .moveParent(let groupID, let parentID): (.group, groupID, parentID, "moveParent", ["parent"])
            }
        return JournalRecord(
            kind: kind, id: id, relatedID: relatedID, action: action, attributes: attributes, outcome: outcome,
            reason: reason, values: keepValues ? json.jsonString() : nil)
    }
}
