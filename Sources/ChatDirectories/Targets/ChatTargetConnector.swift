import Connectors
import Directory
import Reconcile

/// What a chat platform's target connector does the same way on every platform: it writes
/// through the platform's ``ChatPlatformWriter``, counts scimsync's objects there by its id
/// map, reads the platform back by source ids for reconciliation, and loads chunk by chunk
/// (``ChatTargetLoad``: platforms have no transactions). A connector made for `scimsync check`
/// has no id map: it may only probe. (The public connectors forward `TargetConnector`'s
/// requirements to these: a public requirement cannot be met from an internal protocol.)
protocol ChatTargetConnector: TargetConnector {
    associatedtype Writer: ChatPlatformWriter

    /// The platform's name in messages (`DingTalk`).
    static var platform: String { get }
    /// Where the platform's ids of scimsync's objects are kept; nil for commands that only
    /// look (`check`).
    var idMap: (any ChatTargetIDMap)? { get }
    /// The platform's writer over `ids`.
    func writer(_ ids: any ChatTargetIDMap) -> Writer
    /// The platform read back by the source ids `ids` maps to.
    func readBack(_ ids: any ChatTargetIDMap) async throws -> ChatDirectoryReader
}

extension ChatTargetConnector {
    private func ids() throws -> any ChatTargetIDMap {
        guard let idMap else { throw ChatTargetError.noIDMap(platform: Self.platform) }
        return idMap
    }

    func openChatTarget() throws -> any Target {
        ChatStreamTarget(writer(try ids()))
    }

    /// scimsync has no ids in the platform yet. What the platform already holds is met by the
    /// creates (its "already exists" codes, `adopt`), not compared.
    func chatTargetIsEmpty() async throws -> Bool {
        let ids = try ids()
        return try ids.count(.user) == 0 && ids.count(.group) == 0
    }

    func openChatReadBack() async throws -> any ReconcileTargetReader {
        try await readBack(try ids())
    }

    func loadChat(
        _ phases: [LoadPhase], created: @escaping @Sendable ([LedgerEntry]) throws -> Void
    ) async throws -> ApplyOutcome {
        try await ChatTargetLoad.load(phases, into: ChatStreamTarget(writer(try ids())), created: created)
    }
}

/// Why a chat platform target cannot be used as asked.
public enum ChatTargetError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A connector made for `scimsync check` was asked to write.
    case noIDMap(platform: String)

    public var description: String {
        switch self {
        case .noIDMap(let platform): "this \(platform) target has no offset store for its ids (made for checking only)"
        }
    }
}
