import Connectors
import Directory
import Reconcile

/// A full read of a platform as a snapshot: compared through a reconciliation pass (a platform
/// cannot be read in key order, so no first-load phases).
public final class ChatDirectorySnapshot: SourceSnapshot {
    private let source: ChatDirectoryReader
    public let position: SourcePosition

    public init(reader: ChatDirectoryReader, position: SourcePosition) {
        source = reader
        self.position = position
    }

    public var idTypes: SourceIDTypes { .scim }
    public var reader: any ReconcileSourceReader { source }
    public func loadPhases(chunkSize: Int) throws -> [LoadPhase]? { nil }
    public func finish() throws {}
}
