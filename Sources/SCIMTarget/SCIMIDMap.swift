import Directory

/// Where a SCIM target keeps which provider resource stands for which source resource: the
/// provider assigns its own ids (RFC 7643 §3.1), so every later operation needs the map.
/// The map is also the SCIM target's ownership ledger: only mapped resources are changed or
/// deleted. The daemon keeps it in the offset store.
public protocol SCIMIDMap: Sendable {
    /// The entry of one source resource, or nil when scimsync has none.
    func entry(_ sourceID: String, kind: ResourceKind) throws -> SCIMIDEntry?
    /// Notes that a create of `sourceID` is about to be sent, before it is: if the answer is
    /// lost (a crash, a timeout), the next attempt knows the resource may be its own.
    func recordIntent(_ sourceID: String, kind: ResourceKind) throws
    /// Records the provider's id of `sourceID` (created or adopted).
    func map(_ sourceID: String, to providerID: String, kind: ResourceKind) throws
    /// Forgets `sourceID` (deleted, or gone from the provider).
    func forget(_ sourceID: String, kind: ResourceKind) throws
    /// How many resources of `kind` are mapped (or pending).
    func count(_ kind: ResourceKind) throws -> Int
    /// Every mapped resource of `kind`: provider id → source id.
    func sourceIDs(_ kind: ResourceKind) throws -> [String: String]
    /// The source resource `providerID` stands for, or nil when none does.
    func sourceID(ofProvider providerID: String, kind: ResourceKind) throws -> String?
}

/// One source resource as the provider knows it.
public enum SCIMIDEntry: Sendable, Hashable {
    /// A create was sent and its answer not recorded: the resource may exist.
    case pending
    /// The provider's id.
    case mapped(String)
}
