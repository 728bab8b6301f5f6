import Directory

/// How a SCIM target writes: the pipeline's ownership policy and the provider's limits.
public struct SCIMTargetOptions: Sendable, Hashable {
    /// Take over a provider resource that matches a source resource (same `externalId`, or
    /// `userName` for users and `displayName` for groups) when a create meets a 409; without
    /// it such a resource is reported and left alone.
    public var adopt: Bool
    /// Members per PATCH request at most (additions and removals together): providers cap the
    /// size of a request, and Entra ID for one documents a limit of 100 member changes.
    public var membersPerPatch: Int
    /// The attributes the source's layout maps: the ones a create may overwrite on a resource
    /// that already exists. Others (set by the provider or by people) are left as they are.
    public var managed: ManagedAttributes

    public init(adopt: Bool = false, membersPerPatch: Int = 100, managed: ManagedAttributes) {
        self.adopt = adopt
        self.membersPerPatch = max(1, membersPerPatch)
        self.managed = managed
    }
}
