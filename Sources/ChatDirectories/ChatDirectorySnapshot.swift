import Connectors
import Directory
import Reconcile

/// A full read of a platform as a snapshot: compared with the target by a reconciliation pass,
/// or, into an empty target, loaded in phases from the same read (one read of the platform for
/// a first load, not one to decide and one to load).
public final class ChatDirectorySnapshot: SourceSnapshot {
    private let source: ChatDirectoryReader
    public let position: SourcePosition

    public init(reader: ChatDirectoryReader, position: SourcePosition) {
        source = reader
        self.position = position
    }

    public var idTypes: SourceIDTypes { .scim }
    public var reader: any ReconcileSourceReader { source }
    /// Groups first, then every group's parent (roots too: a load restarted after a crash finds
    /// the first attempt's groups, and creates leave the parent alone), then users, then
    /// memberships.
    public func loadPhases(chunkSize: Int) throws -> [LoadPhase]? {
        let size = max(chunkSize, 1)
        let source = self.source
        // Each read of a phase opens its chunks anew (on its first call: opening may throw).
        func phase<T>(
            _ name: String, creates: Bool, _ open: @escaping () throws -> ClosureChunks<T>, _ op: @escaping (T) -> ResourceOp
        ) -> LoadPhase {
            LoadPhase(name: name, creates: creates) {
                var chunks: ClosureChunks<T>?
                return {
                    if chunks == nil { chunks = try open() }
                    guard let chunk = try chunks?.next() else { return nil }
                    let ops = chunk.map(op)
                    return creates ? ResourceOp.ordered(ops) : ops
                }
            }
        }
        return [
            phase("groups", creates: true, { source.spool.entriesAsRead(.group, chunkSize: size) }) { .create(.group, $0.resource) },
            phase("parents", creates: false, { source.spool.entriesAsRead(.group, chunkSize: size) }) {
                .moveParent(groupID: $0.id, parentID: $0.parentID)
            },
            phase("users", creates: true, { source.spool.entriesAsRead(.user, chunkSize: size) }) { .create(.user, $0.resource) },
            phase("memberships", creates: false, { try source.memberships(chunkSize: size, order: .binary) }) {
                .addMember(groupID: $0.groupID, userID: $0.userID)
            },
        ]
    }
    public func finish() throws {}
}
