import Directory

/// Where a chat platform target keeps which platform object stands for which source resource:
/// platforms assign a department's id themselves (their create answers it), and a user's id is
/// the source id only when that is one the platform accepts. The map is also the target's
/// ownership ledger: only mapped objects are changed or deleted, and only they are read back by
/// reconciliation. The daemon keeps it in the offset store, under a key space per platform and
/// pipeline.
public protocol ChatTargetIDMap: Sendable {
    /// The entry of one source resource, or nil when scimsync has none.
    func entry(_ sourceID: String, kind: ResourceKind) throws -> ChatTargetIDEntry?
    /// Notes that a create of `sourceID` is about to be sent, before it is: if the answer is
    /// lost, the next attempt knows the object may be its own.
    func recordIntent(_ sourceID: String, kind: ResourceKind) throws
    /// Records the platform's id (a user's id, or a department's as decimal text) of `sourceID`.
    func map(_ sourceID: String, to platformID: String, kind: ResourceKind) throws
    /// Forgets `sourceID` (deleted, or gone from the platform).
    func forget(_ sourceID: String, kind: ResourceKind) throws
    /// How many resources of `kind` are mapped.
    func count(_ kind: ResourceKind) throws -> Int
    /// Every mapped resource of `kind`: platform id → source id.
    func sourceIDs(_ kind: ResourceKind) throws -> [String: String]
    /// The source resource `platformID` stands for, if any.
    func sourceID(ofPlatform platformID: String, kind: ResourceKind) throws -> String?
}

extension ChatTargetIDMap {
    /// By ``sourceIDs(_:)``; a map with an index answers without reading every entry.
    public func sourceID(ofPlatform platformID: String, kind: ResourceKind) throws -> String? {
        try sourceIDs(kind)[platformID]
    }
}

/// One source resource as a chat platform target knows it.
public enum ChatTargetIDEntry: Sendable, Hashable {
    /// A create was sent and its answer not recorded: the object may exist.
    case pending
    /// The platform's id.
    case mapped(String)
}
