/// A SCIM filter expression (RFC 7644 §3.4.2.2).
///
/// Grouping parentheses leave no trace in the tree: `(a or b) and c` is
/// `.and(.or(a, b), c)`. Inside a value path (`emails[type eq "work"]`) the attribute
/// paths of the inner filter are relative to the complex attribute.
public indirect enum Filter: Sendable, Hashable {
    /// `attrPath compareOp compValue`, e.g. `userName eq "bjensen"`.
    case compare(AttributePath, ComparisonOperator, SCIMValue)
    /// `attrPath pr`.
    case present(AttributePath)
    case and(Filter, Filter)
    case or(Filter, Filter)
    case not(Filter)
    /// `attrPath "[" valFilter "]"`, e.g. `emails[type eq "work" and value co "@example.com"]`.
    case valuePath(AttributePath, Filter)
}

/// The comparison operators of RFC 7644 §3.4.2.2, table 3.
public enum ComparisonOperator: String, Sendable, Hashable, CaseIterable {
    case eq, ne, co, sw, ew, gt, ge, lt, le
}
