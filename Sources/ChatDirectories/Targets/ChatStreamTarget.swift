import Connectors
import Directory

/// A chat platform's writer as the seam sees it: one batch applied call by call (platforms
/// have no transactions), and the objects scimsync manages there.
protocol ChatDirectoryTarget: Sendable {
    /// Applies `ops`; what the platform refused or what waits comes back in the report.
    /// - Throws: when the platform itself failed (unreachable, credentials): the batch is retried.
    func apply(_ ops: [ResourceOp]) async throws -> ChatTargetReport
    /// The users and groups scimsync manages there (its id map).
    func managedCount() throws -> Int
}

/// A chat platform target as a pipeline's stream applies through it. An object the platform
/// refuses comes back quarantined; one waiting for a user or department not there yet comes
/// back parked; the platform unreachable fails the batch, which is retried.
final class ChatStreamTarget: Target {
    private let target: any ChatDirectoryTarget

    init(_ target: any ChatDirectoryTarget) {
        self.target = target
    }

    func apply(_ ops: [ResourceOp]) async throws -> ApplyOutcome {
        try await target.apply(ops).outcome
    }

    /// The platform's objects scimsync knows (its id map): a share of the whole organisation
    /// would count what scimsync may never remove.
    func resourceCount() async throws -> Int {
        try target.managedCount()
    }
}

/// A first load into a chat platform, chunk by chunk, each chunk's calls awaited in order. The
/// departments and their parents (a source's first load gives them as two phases) are applied
/// together, so that each department is created under its parent at once: created under the
/// root first, two departments of one name under different parents would meet there.
enum ChatTargetLoad {
    static func load(
        _ phases: [LoadPhase], into target: ChatStreamTarget, created: @escaping @Sendable ([LedgerEntry]) throws -> Void
    ) async throws -> ApplyOutcome {
        var outcome = ApplyOutcome.applied
        var tree: [ResourceOp] = []
        func applyTree() async throws {
            guard !tree.isEmpty else { return }
            outcome.append(try await target.apply(ResourceOp.ordered(tree)))
            tree.removeAll()
            Failpoint.loadBatchApplied.passed()
        }
        for phase in phases {
            let next = phase.readSettingAsideUnmappable()
            while let read = try next() {
                outcome.quarantined += read.unmapped.map(\.quarantined)
                let chunk = read.ops
                guard !chunk.isEmpty else { continue }
                let ops = phase.creates ? ResourceOp.ordered(chunk) : chunk
                if phase.creates { try created(ops.compactMap(\.createdEntry)) }
                if ops.allSatisfy(ChatTargetOps.isDepartmentTree) {
                    tree += ops
                    continue
                }
                try await applyTree()
                outcome.append(try await target.apply(ops))
                Failpoint.loadBatchApplied.passed()
            }
        }
        try await applyTree()
        return outcome
    }
}
