/// A target resource scimsync created: only these it changes or deletes unless the pipeline
/// adopts what it finds (DESIGN.md, "Ownership").
public struct LedgerEntry: Sendable, Hashable {
    public var kind: ResourceKind
    public var id: String

    public init(kind: ResourceKind, id: String) {
        self.kind = kind
        self.id = id
    }
}

extension ResourceOp {
    /// The ledger entry of a resource this operation creates.
    public var createdEntry: LedgerEntry? {
        if case .create(let kind, let resource) = self, let id = resource.id { return LedgerEntry(kind: kind, id: id) }
        return nil
    }

    /// The ledger entry of a resource this operation deletes.
    public var deletedEntry: LedgerEntry? {
        if case .delete(let kind, let id) = self { return LedgerEntry(kind: kind, id: id) }
        return nil
    }
}
