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
        let values = keepValues ? json.jsonString() : nil
        switch self {
        case .create(let kind, let resource):
            return JournalRecord(
                kind: kind, id: resource.id ?? "", action: "create",
                attributes: resource.attributes.keys.filter { $0 != "id" && $0 != "schemas" }, outcome: outcome,
                reason: reason, values: values)
        case .patch(let kind, let id, let operations):
            var paths: [String] = []
            for operation in operations {
                if let path = operation.path {
                    paths.append(path.description)
                } else if case .object(let object)? = operation.value {
                    paths += object.keys
                }
            }
            return JournalRecord(
                kind: kind, id: id, action: "patch", attributes: paths, outcome: outcome, reason: reason, values: values)
        case .delete(let kind, let id):
            return JournalRecord(kind: kind, id: id, action: "delete", outcome: outcome, reason: reason, values: values)
        case .deactivate(let userID):
            return JournalRecord(
                kind: .user, id: userID, action: "deactivate", attributes: ["active"], outcome: outcome, reason: reason,
                values: values)
        case .reactivate(let userID):
            return JournalRecord(
                kind: .user, id: userID, action: "reactivate", attributes: ["active"], outcome: outcome, reason: reason,
                values: values)
        case .addMember(let groupID, let userID):
            return JournalRecord(
                kind: .group, id: groupID, relatedID: userID, action: "addMember", attributes: ["members"],
                outcome: outcome, reason: reason, values: values)
        case .removeMember(let groupID, let userID):
            return JournalRecord(
                kind: .group, id: groupID, relatedID: userID, action: "removeMember", attributes: ["members"],
                outcome: outcome, reason: reason, values: values)
        case .moveParent(let groupID, let parentID):
            return JournalRecord(
                kind: .group, id: groupID, relatedID: parentID, action: "moveParent", attributes: ["parent"],
                outcome: outcome, reason: reason, values: values)
        }
    }
}
