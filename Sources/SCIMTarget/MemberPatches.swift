import SCIM

/// Member changes of one group, split into PATCH requests of at most `limit` members each
/// (RFC 7644 §3.5.2): removals by a value filter, `members[value eq "a" or value eq "b"]`
/// (a `remove` of `members` without a filter would empty the group), additions as one `add`
/// of `members` values. Removals go first, so a request never adds and removes one member.
public enum MemberPatches {
    /// The requests, each a list of operations; none for no changes.
    public static func requests(adding: [String], removing: [String], limit: Int) -> [[PatchOperation]] {
        let changes = removing.map { (add: false, id: $0) } + adding.map { (add: true, id: $0) }
        let size = max(1, limit)
        return stride(from: 0, to: changes.count, by: size).map { start in
            let chunk = changes[start..<min(start + size, changes.count)]
            var operations: [PatchOperation] = []
            let removals = chunk.filter { !$0.add }.map(\.id)
            if !removals.isEmpty {
                operations.append(PatchOperation(op: .remove, path: removalPath(removals)))
            }
            let additions = chunk.filter(\.add).map(\.id)
            if !additions.isEmpty {
                operations.append(
                    PatchOperation(
                        op: .add, path: AttributePath(attribute: "members"),
                        value: .array(additions.map { ["value": .string($0)] })))
            }
            return operations
        }
    }

    static func removalPath(_ ids: [String]) -> AttributePath {
        var filter = Filter.compare(AttributePath(attribute: "value"), .eq, .string(ids[0]))
        for id in ids.dropFirst() {
            filter = .or(filter, .compare(AttributePath(attribute: "value"), .eq, .string(id)))
        }
        return AttributePath(attribute: "members", valueFilter: filter)
    }
}
