import SCIM

extension ResourceOp {
    /// For a PATCH, the top-level attributes it changes; nil for any other operation, which
    /// writes (or removes) the whole resource or a membership.
    public var patchedAttributes: Set<String>? {
        guard case .patch(_, _, let operations) = self else { return nil }
        return operations.reduce(into: Set<String>()) { $0.formUnion($1.attributeNames) }
    }
}
