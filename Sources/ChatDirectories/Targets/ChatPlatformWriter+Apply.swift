import Directory

extension ChatPlatformWriter {
    /// Applies `ops` in order: runs of member changes gathered per user (one update of the
    /// user's department list each), department creates parents first, department deletes
    /// children first. An operation the platform refuses is reported and the batch goes on.
    /// - Throws: an error the batch cannot go on after (the platform unreachable, the
    ///   credentials refused), or the id map's error.
    func applyBatch(_ ops: [ResourceOp]) async throws -> ChatTargetReport {
        var report = ChatTargetReport()
        let ordered = ChatTargetOps.parentsFirst(ops)
        let plannedParents = ChatTargetOps.plannedParents(ordered)
        var deferredDeletes: [String] = []
        var index = 0
        while index < ordered.count {
            if ordered[index].isMemberChange {
                var end = index
                while end < ordered.count, ordered[end].isMemberChange { end += 1 }
                try await applyMemberChanges(ordered[index..<end], &report)
                index = end
                continue
            }
            let op = ordered[index]
            index += 1
            do {
                try await applyOne(op, plannedParents: plannedParents, deferredDeletes: &deferredDeletes, &report)
            } catch {
                guard let reason = anyRefusal(error) else { throw error }
                refuse(op, reason: reason, &report)
            }
        }
        try await retryDeferredDeletes(deferredDeletes, &report)
        return report
    }

    private func applyOne(
        _ op: ResourceOp, plannedParents: [String: String?], deferredDeletes: inout [String], _ report: inout ChatTargetReport
    ) async throws {
        switch op {
        case .create(.user, let resource):
            try await createUser(resource, &report)
        case .create(.group, let resource):
            try await createDepartment(resource, parent: plannedParents[resource.id ?? ""] ?? nil, &report)
        case .patch(.user, let id, let operations):
            try await patchUser(id, operations, op, &report)
        case .patch(.group, let id, let operations):
            try await patchDepartment(id, operations, op, &report)
        case .delete(.user, let id):
            try await deleteUser(id, &report)
        case .delete(.group, let id):
            if try await !deleteDepartment(id, &report) { deferredDeletes.append(id) }
        case .deactivate(let id):
            try await setActive(false, id, op, &report)
        case .reactivate(let id):
            try await setActive(true, id, op, &report)
        case .moveParent(let group, let parent):
            try await moveDepartment(group, under: parent, op, &report)
        case .addMember, .removeMember:
            try await applyMemberChanges([op][...], &report)
        }
    }

    /// Department deletes the platform refused for sub-departments that the batch also
    /// deletes: tried again after the others, children first, while any succeeds.
    private func retryDeferredDeletes(_ deferred: [String], _ report: inout ChatTargetReport) async throws {
        var waiting = deferred
        while !waiting.isEmpty {
            var still: [String] = []
            for id in waiting {
                do {
                    if try await !deleteDepartment(id, &report) { still.append(id) }
                } catch {
                    guard let reason = refusal(error) else { throw error }
                    refuse(.delete(.group, id: id), reason: reason, &report)
                }
            }
            if still.count == waiting.count {
                for id in still {
                    report.refused.append(
                        .init(
                            subject: .group(id),
                            reason: "\(Self.platform) keeps a department with sub-departments (\(Self.subDepartmentsCode)): "
                                + "its sub-departments are not the source's to delete"))
                }
                return
            }
            waiting = still
        }
    }
}
