import ChatDirectories
import Directory
import Synchronization

/// A ``ChatTargetIDMap`` in memory, for tests of a chat platform target alone.
final class MemoryChatTargetIDs: ChatTargetIDMap {
    private let state = Mutex<[ResourceKind: [String: ChatTargetIDEntry]]>([:])

    var entries: [ResourceKind: [String: ChatTargetIDEntry]] { state.withLock { $0 } }

    func entry(_ sourceID: String, kind: ResourceKind) throws -> ChatTargetIDEntry? {
        state.withLock { $0[kind]?[sourceID] }
    }

    func recordIntent(_ sourceID: String, kind: ResourceKind) throws {
        state.withLock { if $0[kind]?[sourceID] == nil { $0[kind, default: [:]][sourceID] = .pending } }
    }

    func map(_ sourceID: String, to platformID: String, kind: ResourceKind) throws {
        state.withLock { $0[kind, default: [:]][sourceID] = .mapped(platformID) }
    }

    func forget(_ sourceID: String, kind: ResourceKind) throws {
        state.withLock { _ = $0[kind]?.removeValue(forKey: sourceID) }
    }

    func count(_ kind: ResourceKind) throws -> Int {
        state.withLock { $0[kind]?.count ?? 0 }
    }

    func sourceIDs(_ kind: ResourceKind) throws -> [String: String] {
        state.withLock { entries in
            var map: [String: String] = [:]
            for (sourceID, entry) in entries[kind] ?? [:] {
                if case .mapped(let platformID) = entry { map[platformID] = sourceID }
            }
            return map
        }
    }
}
