import ChatDirectories
import Directory
import OffsetStore

/// A pipeline's ids in a chat platform (DingTalk's `userid` and `dept_id`, Feishu's `user_id`
/// and `department_id`, WeCom's `userid` and department `id`), kept in the offset store's id
/// table under a key space of their own, `<platform>:<pipeline>`: a pipeline name has no `:`,
/// so they never meet a SCIM or another platform's target's ids, even of a pipeline whose
/// target changed kind.
public struct OffsetStoreChatIDs: ChatTargetIDMap {
    let store: OffsetStore
    let keySpace: String

    /// - Parameter platform: the target kind's key (`dingtalk`, `feishu`, `wecom`).
    public init(store: OffsetStore, platform: String, pipeline: String) {
        self.store = store
        keySpace = platform + ":" + pipeline
    }

    public func entry(_ sourceID: String, kind: ResourceKind) throws -> ChatTargetIDEntry? {
        switch try store.scimProviderID(sourceID, kind: kind, pipeline: keySpace) {
        case .some(.some(let platformID)): .mapped(platformID)
        case .some(.none): .pending
        case .none: nil
        }
    }

    public func recordIntent(_ sourceID: String, kind: ResourceKind) throws {
        try store.setSCIMProviderID(nil, for: sourceID, kind: kind, pipeline: keySpace)
    }

    public func map(_ sourceID: String, to platformID: String, kind: ResourceKind) throws {
        try store.setSCIMProviderID(platformID, for: sourceID, kind: kind, pipeline: keySpace)
    }

    public func forget(_ sourceID: String, kind: ResourceKind) throws {
        try store.removeSCIMProviderID(sourceID, kind: kind, pipeline: keySpace)
    }

    public func count(_ kind: ResourceKind) throws -> Int {
        try store.scimProviderIDCount(kind: kind, pipeline: keySpace)
    }

    public func sourceIDs(_ kind: ResourceKind) throws -> [String: String] {
        try store.scimSourceIDs(kind: kind, pipeline: keySpace)
    }

    public func sourceID(ofPlatform platformID: String, kind: ResourceKind) throws -> String? {
        try store.scimSourceID(ofProvider: platformID, kind: kind, pipeline: keySpace)
    }
}
