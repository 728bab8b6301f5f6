import SCIM

extension ResourceOp {
    /// Folds consecutive operations on one subject into fewer, so a batch that touched a user
    /// five times writes it once: create + patch → create of the patched resource, patch +
    /// patch → one patch, create or patch + delete → delete; for (de)activations, a
    /// membership pair and a group's parent the last operation wins.
    ///
    /// What cannot be folded stays as it is, in order: a delete then a create of the same id,
    /// a patch that does not apply to the created resource. Folded creates and patches keep
    /// the place of the first operation (what follows may need the resource to exist); folds
    /// that end in a delete, a membership or a parent move take the place of the last.
    public static func coalesced(_ ops: [ResourceOp]) -> [ResourceOp] {
        var result: [ResourceOp?] = []
        result.reserveCapacity(ops.count)
        var open: [FoldSubject: Int] = [:]
        for op in ops {
            let subject = FoldSubject(op)
            guard let subject, let index = open[subject], let previous = result[index] else {
                if let subject { open[subject] = result.count }
                result.append(op)
                continue
            }
            switch fold(previous, op) {
            case .inPlace(let folded):
                result[index] = folded
            case .atEnd(let folded):
                result[index] = nil
                open[subject] = result.count
                result.append(folded)
            case .none:
                open[subject] = result.count
                result.append(op)
            }
        }
        return result.compactMap { $0 }
    }

    private enum Fold {
        case inPlace(ResourceOp)
        case atEnd(ResourceOp)
        case none
    }

    private static func fold(_ previous: ResourceOp, _ next: ResourceOp) -> Fold {
        switch (previous, next) {
        case (.create(let kind, let resource), .patch(_, _, let operations)):
            guard let patched = try? resource.applying(operations) else { return .none }
            return .inPlace(.create(kind, patched))
        case (.create, .create), (.patch, .create):
            return .inPlace(next)
        case (.patch(let kind, let id, let first), .patch(_, _, let second)):
            return .inPlace(.patch(kind, id: id, first + second))
        case (.create, .delete), (.patch, .delete):
            return .atEnd(next)
        case (.deactivate, .reactivate), (.reactivate, .deactivate), (.deactivate, .deactivate),
            (.reactivate, .reactivate), (.addMember, .removeMember), (.removeMember, .addMember),
            (.addMember, .addMember), (.removeMember, .removeMember), (.moveParent, .moveParent):
            return .atEnd(next)
        default:
            return .none
        }
    }

    /// What an operation is about, for folding: a resource (its content and, for a user, its
    /// activation: a create or patch must never be folded past a deactivation of the same
    /// user, or the user's last state would be lost), a membership pair, a group's parent.
    private enum FoldSubject: Hashable {
        case resource(ResourceKind, String)
        case membership(group: String, user: String)
        case parent(String)

        init?(_ op: ResourceOp) {
            switch op {
            case .create(let kind, let resource):
                guard let id = resource.id else { return nil }
                self = .resource(kind, id)
            case .patch(let kind, let id, _), .delete(let kind, let id):
                self = .resource(kind, id)
            case .deactivate(let user), .reactivate(let user):
                self = .resource(.user, user)
            case .addMember(let group, let user), .removeMember(let group, let user):
                self = .membership(group: group, user: user)
            case .moveParent(let group, _):
                self = .parent(group)
            }
        }
    }
}
