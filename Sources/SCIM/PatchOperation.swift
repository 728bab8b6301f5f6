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
