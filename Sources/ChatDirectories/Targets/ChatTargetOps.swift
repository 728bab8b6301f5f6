import Directory

/// How a chat platform target orders and names a batch's operations, whatever the platform.
enum ChatTargetOps {
    /// The operation and the source ids it concerns, for logs and reports (ids only, no values).
    static func label(_ op: ResourceOp) -> String {
        switch op {
        case .create(let kind, let resource): "create \(kind.rawValue) \(resource.id ?? "?")"
        case .patch(let kind, let id, _): "patch \(kind.rawValue) \(id)"
        case .delete(let kind, let id): "delete \(kind.rawValue) \(id)"
        case .deactivate(let id): "deactivate User \(id)"
        case .reactivate(let id): "reactivate User \(id)"
        case .addMember(let group, let user): "addMember Group \(group) User \(user)"
        case .removeMember(let group, let user): "removeMember Group \(group) User \(user)"
        case .moveParent(let group, _): "moveParent Group \(group)"
        }
    }

    /// A member addition or removal: platforms keep memberships as each user's department list,
    /// so a run of them is gathered per user.
    static func isMemberChange(_ op: ResourceOp) -> Bool {
        switch op {
        case .addMember, .removeMember: true
        case .create, .patch, .delete, .deactivate, .reactivate, .moveParent: false
        }
    }

    /// The source id of the department `op` creates, if it creates one.
    static func createdGroupID(_ op: ResourceOp) -> String? {
        if case .create(.group, let resource) = op { return resource.id }
        return nil
    }

    /// A department's create or parent: what a first load gathers into one apply.
    static func isDepartmentTree(_ op: ResourceOp) -> Bool {
        switch op {
        case .create(.group, _), .moveParent: true
        case .create(.user, _), .patch, .delete, .deactivate, .reactivate, .addMember, .removeMember: false
        }
    }

    /// Where the batch moves each group: a department is created under its parent at once when
    /// the parent is known, so that two departments of one name under different parents never
    /// meet under the root.
    static func plannedParents(_ ops: [ResourceOp]) -> [String: String?] {
        var parents: [String: String?] = [:]
        for op in ops {
            if case .moveParent(let group, let parent) = op { parents[group] = parent }
        }
        return parents
    }

    /// `ops` with each run of department creates ordered so that a department the batch also
    /// moves under another one it creates comes after that one.
    static func parentsFirst(_ ops: [ResourceOp]) -> [ResourceOp] {
        var parents: [String: String] = [:]
        for op in ops {
            if case .moveParent(let group, let parent?) = op { parents[group] = parent }
        }
        guard !parents.isEmpty else { return ops }
        var creates: Set<String> = []
        for op in ops {
            if let id = createdGroupID(op) { creates.insert(id) }
        }
        func depth(_ id: String) -> Int {
            var depth = 0
            var seen: Set<String> = [id]
            var walk = id
            while let parent = parents[walk], creates.contains(parent), seen.insert(parent).inserted {
                depth += 1
                walk = parent
            }
            return depth
        }
        var result: [ResourceOp] = []
        var run: [ResourceOp] = []
        func flush() {
            result += run.enumerated().sorted { lhs, rhs in
                let left = createdGroupID(lhs.element).map(depth) ?? 0
                let right = createdGroupID(rhs.element).map(depth) ?? 0
                return (left, lhs.offset) < (right, rhs.offset)
            }.map(\.element)
            run.removeAll()
        }
        for op in ops {
            if createdGroupID(op) != nil {
                run.append(op)
            } else {
                flush()
                result.append(op)
            }
        }
        flush()
        return result
    }

    /// A user's member changes of a run, gathered per user in the order users first appear: a
    /// pair's last change wins, as applying them in order would leave it.
    static func memberChangesPerUser(_ ops: ArraySlice<ResourceOp>) -> [(user: String, changes: [(group: String, add: Bool)])] {
        var order: [String] = []
        var changes: [String: [(group: String, add: Bool)]] = [:]
        for op in ops {
            switch op {
            case .addMember(let group, let user), .removeMember(let group, let user):
                if changes[user] == nil { order.append(user) }
                let add = if case .addMember = op { true } else { false }
                changes[user, default: []].removeAll { $0.group == group }
                changes[user, default: []].append((group, add))
            case .create, .patch, .delete, .deactivate, .reactivate, .moveParent:
                continue
            }
        }
        return order.map { ($0, changes[$0] ?? []) }
    }
}

extension SQLValue {
    /// The value as the text a chat platform's fields take; nil for no value.
    var platformFieldText: String? {
        switch self {
        case .null: nil
        case .text(let text), .decimal(let text), .json(let text): text.isEmpty ? nil : text
        case .bool(let flag): flag ? "true" : "false"
        case .int(let number): String(number)
        case .uint(let number): String(number)
        case .double(let number): String(number)
        default: "\(self)"
        }
    }
}
