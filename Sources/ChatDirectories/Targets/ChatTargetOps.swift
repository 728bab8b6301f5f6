import Directory

/// How a chat platform target orders and names a batch's operations, whatever the platform.
enum ChatTargetOps {
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
            if let id = op.createdGroupID { creates.insert(id) }
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
                let left = lhs.element.createdGroupID.map(depth) ?? 0
                let right = rhs.element.createdGroupID.map(depth) ?? 0
                return (left, lhs.offset) < (right, rhs.offset)
            }.map(\.element)
            run.removeAll()
        }
        for op in ops {
            if op.createdGroupID != nil {
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
