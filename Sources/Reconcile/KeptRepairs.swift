import Directory

/// The decisions with repairs a plan found, kept (within a memory budget) so that the
/// repairing pass applies them instead of comparing both sides a second time: at 1% drift
/// that second comparison was as long as the first.
///
/// Applying what the plan decided is what comparing again would decide: the pass reads the
/// source in one snapshot, and between the plan and the repairs the target changes only
/// through the stream, whose resources the apply step leaves out (they are newer than the
/// snapshot). A plan larger than the budget is dropped and the repairs compare again, a chunk
/// at a time, as before: memory stays bounded whatever the drift.
struct KeptRepairs {
    struct Batch {
        var kind: ResourceKind
        var decisions: [(id: String, Decision)]
    }

    /// The most the kept decisions may take, estimated (``Decision/estimatedBytes``).
    let budget: Int
    private(set) var batches: [Batch] = []
    private(set) var bytes = 0
    private(set) var decisionCount = 0

    init(budget: Int) {
        self.budget = budget
    }

    /// Keeps one chunk's decisions; false (and nothing kept) once the budget is exceeded.
    mutating func keep(_ decisions: [(id: String, Decision)], _ kind: ResourceKind) -> Bool {
        guard !decisions.isEmpty else { return true }
        bytes += decisions.reduce(0) { $0 + $1.id.utf8.count + $1.1.estimatedBytes }
        guard bytes <= budget else {
            batches = []
            return false
        }
        batches.append(Batch(kind: kind, decisions: decisions))
        decisionCount += decisions.count
        return true
    }
}

extension Decision {
    /// A rough size in memory: a fixed cost per operation, the text it carries and, for a
    /// create, a share per attribute of the resource.
    var estimatedBytes: Int {
        64 + ops.reduce(0) { total, op in
            switch op {
            case .create(_, let resource): total + 256 + 128 * resource.attributes.count
            case .patch(_, let id, let operations): total + 96 + id.utf8.count + 160 * operations.count
            case .delete(_, let id), .deactivate(let id), .reactivate(let id): total + 64 + id.utf8.count
            case .addMember(let group, let user), .removeMember(let group, let user):
                total + 64 + group.utf8.count + user.utf8.count
            case .moveParent(let group, let parent): total + 64 + group.utf8.count + (parent?.utf8.count ?? 0)
            }
        }
    }
}
