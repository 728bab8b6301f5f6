import SCIM

/// The member additions and removals a group PATCH names directly, split from the rest, so
/// that a change to one member of a large group reads and writes that member's row only.
///
/// Direct forms: `add` with path `members` and a value list; `remove` with path
/// `members[value eq "id"]` (or `or`s of such), or with path `members` and a value list (Entra
/// ID). Anything else touching `members` (path-less values holding `members`, `replace`,
/// `remove` of every member, other filters) needs the current members and is left in
/// ``others`` with ``needsMembers`` set.
struct MemberChanges {
    /// Members to add, in the order first named.
    var added: [String] { changes.ids(.add) }
    /// Members to remove, in the order first named.
    var removed: [String] { changes.ids(.remove) }
    var others: [PatchOperation] = []
    var needsMembers = false
    private var changes = LastChangeWins()

    init(_ operations: [PatchOperation]) throws(SCIMError) {
        for operation in operations {
            guard let path = operation.path else {
                if let members = operation.value?.objectValue?["members"] {
                    needsMembers = true
                    _ = try ResourceInput.memberIDs(Self.list(members))
                }
                others.append(operation)
                continue
            }
            guard path.schema == nil || path.schema?.caseInsensitiveEquals(SchemaURN.group) == true,
                path.attribute.caseInsensitiveEquals("members")
            else {
                others.append(operation)
                continue
            }
            switch (operation.op, path.valueFilter, path.subAttribute) {
            case (.add, nil, nil):
                guard let value = operation.value else { throw .invalidValue("add members needs a value") }
                // RFC 7644 §3.5.2.1: a multi-valued attribute's value is an array; some clients
                // send a single object.
                let list: SCIMValue = value.arrayValue != nil ? value : .array([value])
                for id in try ResourceInput.memberIDs(list) { changes.add(id) }
            case (.remove, nil, nil) where operation.value != nil:
                let value = operation.value ?? .null
                let list: SCIMValue = value.arrayValue != nil ? value : .array([value])
                for id in try ResourceInput.memberIDs(list) { changes.remove(id) }
            case (.replace, nil, nil):
                // The members a replace leaves are the ones it names, each by its `value` as in
                // an add or a PUT: one without would be read as no member and empty the group.
                if let value = operation.value { _ = try ResourceInput.memberIDs(Self.list(value)) }
                needsMembers = true
                others.append(operation)
            case (.remove, let filter?, nil):
                if let ids = Self.ids(in: filter) {
                    for id in ids { changes.remove(id) }
                } else {
                    fallthrough
                }
            default:
                needsMembers = true
                others.append(operation)
            }
        }
        if needsMembers, !(added.isEmpty && removed.isEmpty) {
            // Keep the order of the operations: a replace after an add must see the add.
            self = MemberChanges(generic: operations)
        }
    }

    /// Each member's last change (add or remove), in the order members were first named:
    /// linear in the number of changes, whatever the group's size.
    private struct LastChangeWins {
        enum Change { case add, remove }
        private var order: [String] = []
        private var last: [String: Change] = [:]

        mutating func add(_ id: String) { note(id, .add) }
        mutating func remove(_ id: String) { note(id, .remove) }

        private mutating func note(_ id: String, _ change: Change) {
            if last.updateValue(change, forKey: id) == nil { order.append(id) }
        }

        func ids(_ change: Change) -> [String] {
            order.filter { last[$0] == change }
        }
    }

    private init(generic operations: [PatchOperation]) {
        others = operations
        needsMembers = true
    }

    /// A members value as a list: RFC 7644 §3.5.2.1 sends a multi-valued attribute's value
    /// as an array; some clients send a single object.
    private static func list(_ value: SCIMValue) -> SCIMValue {
        value.arrayValue != nil || value.isNull ? value : .array([value])
    }

    /// The ids of `value eq "id"` filters joined by `or`; nil for anything else.
    private static func ids(in filter: Filter) -> [String]? {
        switch filter {
        case .compare(let path, .eq, .string(let id)):
            guard path.schema == nil, path.subAttribute == nil, path.attribute.caseInsensitiveEquals("value") else {
                return nil
            }
            return [id]
        case .or(let lhs, let rhs):
            guard let l = ids(in: lhs), let r = ids(in: rhs) else { return nil }
            return l + r
        default:
            return nil
        }
    }
}
