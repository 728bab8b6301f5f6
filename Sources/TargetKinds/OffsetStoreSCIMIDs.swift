import Directory
import OffsetStore
import SCIMTarget

/// A pipeline's SCIM provider ids, kept in the offset store.
public struct OffsetStoreSCIMIDs: SCIMIDMap {
    let store: OffsetStore
    let pipeline: String

    public init(store: OffsetStore, pipeline: String) {
        self.store = store
        self.pipeline = pipeline
    }

    public func entry(_ sourceID: String, kind: ResourceKind) throws -> SCIMIDEntry? {
        switch try store.scimProviderID(sourceID, kind: kind, pipeline: pipeline) {
        case .some(.some(let providerID)): .mapped(providerID)
        case .some(.none): .pending
        case .none: nil
        }
    }

    public func recordIntent(_ sourceID: String, kind: ResourceKind) throws {
        try store.setSCIMProviderID(nil, for: sourceID, kind: kind, pipeline: pipeline)
    }

    public func map(_ sourceID: String, to providerID: String, kind: ResourceKind) throws {
        try store.setSCIMProviderID(providerID, for: sourceID, kind: kind, pipeline: pipeline)
    }

    public func forget(_ sourceID: String, kind: ResourceKind) throws {
        try store.removeSCIMProviderID(sourceID, kind: kind, pipeline: pipeline)
    }

    public func count(_ kind: ResourceKind) throws -> Int {
        try store.scimProviderIDCount(kind: kind, pipeline: pipeline)
    }

    public func sourceID(ofProvider providerID: String, kind: ResourceKind) throws -> String? {
        try store.scimSourceID(ofProvider: providerID, kind: kind, pipeline: pipeline)
    }

    public func sourceIDs(_ kind: ResourceKind) throws -> [String: String] {
        try store.scimSourceIDs(kind: kind, pipeline: pipeline)
    }
}
