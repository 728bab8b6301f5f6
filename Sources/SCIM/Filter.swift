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

    /// The most groups (`(`, `not (`, `[`) a filter or PATCH path may nest; deeper input is
    /// refused as `invalidFilter` (or `invalidPath`). Clients nest a few levels; the bound keeps
    /// the recursive parser, the SQL writer and evaluation within any thread's stack.
    public static let maxNesting = 32
    /// The most comparisons (and `pr` tests) one filter may hold, for the same reason: an `or`
    /// chain is a tree as deep as it is long.
    public static let maxComparisons = 200
}

/// The comparison operators of RFC 7644 §3.4.2.2, table 3.
public enum ComparisonOperator: String, Sendable, Hashable, CaseIterable {
    case eq, ne, co, sw, ew, gt, ge, lt, le
}

extension Filter {
    /// Every attribute path the filter compares or tests, in order; a value path's inner
    /// paths are relative to it (`emails[type eq "work"]` gives `emails` and `type`).
    public var attributePaths: [AttributePath] {
        var paths: [AttributePath] = []
        var pending = [self]
        // A loop rather than recursion, though parsed filters are bounded in depth anyway.
        while let filter = pending.popLast() {
            switch filter {
            case .compare(let path, _, _), .present(let path):
                paths.append(path)
            case .and(let left, let right), .or(let left, let right):
                pending.append(right)
                pending.append(left)
            case .not(let inner):
                pending.append(inner)
            case .valuePath(let path, let inner):
                paths.append(path)
                pending.append(inner)
            }
        }
        return paths
    }
}
