extension ResourceOp {
    /// The operations of a batch in an order every target can apply them in (DESIGN.md:
    /// "groups before memberships, parents before children, member removals before deletes").
    ///
    /// Operations run in phases:
    ///
    /// 1. group creates and patches,
    /// 2. parent moves (so every group exists before any is linked under it),
    /// 3. member removals,
    /// 4. user deletes (after their memberships are gone, and before user writes: a new user
    ///    may take over the login, an e-mail or another unique value of a deleted one),
    /// 5. user creates, patches, deactivations and reactivations,
    /// 6. member additions (after both the user and the group exist),
    /// 7. group deletes (after their members and any users pointing at them).
    ///
    /// Within a phase the input order stays. Two operations on the same subject (the same
    /// user, the same group, or the same user-in-group pair) are never swapped, since their
    /// order is their meaning: a delete then re-create of an id, or an add then removal of one
    /// membership. Where phase order would swap them, the batch is cut in two at the later
    /// one and each part is ordered on its own.
    public static func ordered(_ ops: [ResourceOp]) -> [ResourceOp] {
        var result: [ResourceOp] = []
        result.reserveCapacity(ops.count)
        var segment: [ResourceOp] = []
        var latestPhase: [Subject: Phase] = [:]
        func flush() {
            // A segment already in phase order (a batch of user updates, say) stays as it is:
            // the stable sort would return it unchanged, through two arrays.
            if zip(segment, segment.dropFirst()).allSatisfy({ $0.phase <= $1.phase }) {
                result += segment
            } else {
                let sorted = segment.enumerated().sorted {
                    ($0.element.phase, $0.offset) < ($1.element.phase, $1.offset)
                }
                result += sorted.map(\.element)
            }
            segment.removeAll(keepingCapacity: true)
            latestPhase.removeAll(keepingCapacity: true)
        }
        for op in ops {
            let subject = op.subject
            let phase = op.phase
            if let seen = latestPhase[subject], seen > phase { flush() }
            segment.append(op)
            latestPhase[subject] = max(latestPhase[subject] ?? phase, phase)
        }
        flush()
        return result
    }

    /// The apply phases, in order.
    enum Phase: Int, Comparable {
        case groupWrite, parentMove, memberRemoval, userDelete, userWrite, memberAddition, groupDelete

        static func < (lhs: Phase, rhs: Phase) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// What an operation changes.
    enum Subject: Hashable {
        case user(String)
        case group(String)
        case membership(groupID: String, userID: String)
    }

    var phase: Phase {
        switch self {
        case .create(.group, _), .patch(.group, _, _): .groupWrite
        case .moveParent: .parentMove
        case .create(.user, _), .patch(.user, _, _), .deactivate, .reactivate: .userWrite
        case .removeMember: .memberRemoval
        case .addMember: .memberAddition
        case .delete(.user, _): .userDelete
        case .delete(.group, _): .groupDelete
        }
    }

    var subject: Subject {
        switch self {
        case .create(let kind, let resource): Subject(kind, resource.id ?? "")
        case .patch(let kind, let id, _), .delete(let kind, let id): Subject(kind, id)
        case .deactivate(let id), .reactivate(let id): .user(id)
        case .addMember(let group, let user), .removeMember(let group, let user):
            .membership(groupID: group, userID: user)
        case .moveParent(let group, _): .group(group)
        }
    }
}

extension ResourceOp.Subject {
    init(_ kind: ResourceKind, _ id: String) {
        switch kind {
        case .user: self = .user(id)
        case .group: self = .group(id)
        }
    }
}
