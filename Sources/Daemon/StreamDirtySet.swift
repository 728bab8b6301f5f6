import Directory
import Synchronization

/// The users and groups streaming changed after a reconciliation's snapshot: the stream's
/// version of them is newer than the snapshot's, so the pass leaves them alone (a pass
/// must not undo newer streamed changes).
///
/// The stream marks what it applied while it holds the target (``SharedTarget``), and the pass
/// filters its repairs while it holds it, so "changed by the stream before this repair" is
/// exact.
final class StreamDirtySet: Sendable {
    private struct State {
        var recording = false
        var keys: Set<String> = []
    }

    private let state = Mutex(State())

    /// Starts noting what every batch touches, before the snapshot is taken. Batches applied
    /// while the pass runs are noted whether they are older or newer than its snapshot:
    /// skipping a few resources more is safe (the next pass looks at them), undoing a newer
    /// change is not.
    func begin() {
        state.withLock { $0 = State(recording: true) }
    }

    /// Stops noting and forgets.
    func end() {
        state.withLock { $0 = State() }
    }

    /// Notes the resources of a batch the stream applied.
    func mark(_ ops: [ResourceOp]) {
        state.withLock { state in
            guard state.recording else { return }
            for op in ops { state.keys.formUnion(op.dirtyKeys) }
        }
    }

    /// Whether streaming changed a resource `op` touches since the snapshot.
    func touches(_ op: ResourceOp) -> Bool {
        state.withLock { state in op.dirtyKeys.contains { state.keys.contains($0) } }
    }
}

extension ResourceOp {
    /// The resources an operation touches: a user, a group, or a user and a group.
    var dirtyKeys: [String] {
        switch self {
        case .create(let kind, let resource): ["\(kind.rawValue):\(resource.id ?? "")"]
        case .patch(let kind, let id, _), .delete(let kind, let id): ["\(kind.rawValue):\(id)"]
        case .deactivate(let id), .reactivate(let id): ["User:\(id)"]
        case .addMember(let group, let user), .removeMember(let group, let user): ["User:\(user)", "Group:\(group)"]
        case .moveParent(let group, _): ["Group:\(group)"]
        }
    }
}
