/// One operation of a SCIM PATCH request (RFC 7644 §3.5.2).
public struct PatchOperation: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case add, remove, replace
    }

    public var op: Kind
    /// Absent for path-less `add`/`replace`, whose value is an object of attributes.
    public var path: AttributePath?
    /// Absent for `remove`.
    public var value: SCIMValue?

    public init(op: Kind, path: AttributePath? = nil, value: SCIMValue? = nil) {
        self.op = op
        self.path = path
        self.value = value
    }
}

extension PatchOperation {
    /// The top-level attributes the operation changes, lower-cased (attribute names are
    /// case-insensitive, RFC 7643 §2.1), with an extension's URN before its attribute: what a
    /// later change must cover to show that a refused one was made good.
    public var attributeNames: Set<String> {
        if let path {
            return [((path.schema.map { $0 + ":" } ?? "") + path.attribute).lowercased()]
        }
        guard let object = value?.objectValue else { return [] }
        var names: Set<String> = []
        for (key, inner) in object.members {
            // An extension's attributes come as an object under its URN.
            if key.lowercased().hasPrefix("urn:"), let attributes = inner.objectValue {
                for (attribute, _) in attributes.members { names.insert((key + ":" + attribute).lowercased()) }
            } else {
                names.insert(key.lowercased())
            }
        }
        return names
    }
}
