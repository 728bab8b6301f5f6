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
    var added: [String] = []
    var removed: [String] = []
    var others: [PatchOperation] = []
    var needsMembers = false

    init(_ operations: [PatchOperation]) throws(SCIMError) {
        for operation in operations {
            guard let path = operation.path else {
                if operation.value?.objectValue?["members"] != nil { needsMembers = true }
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
                for id in try ResourceInput.memberIDs(list) where !added.contains(id) {
                    added.append(id)
                    removed.removeAll { $0 == id }
                }
            case (.remove, nil, nil) where operation.value != nil:
                let value = operation.value ?? .null
                let list: SCIMValue = value.arrayValue != nil ? value : .array([value])
                for id in try ResourceInput.memberIDs(list) where !removed.contains(id) {
                    removed.append(id)
                    added.removeAll { $0 == id }
                }
            case (.remove, let filter?, nil):
                if let ids = Self.ids(in: filter) {
                    for id in ids where !removed.contains(id) {
                        removed.append(id)
                        added.removeAll { $0 == id }
                    }
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

    private init(generic operations: [PatchOperation]) {
        others = operations
        needsMembers = true
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
