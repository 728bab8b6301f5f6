/// Coalescing runs of membership operations before applying them.
///
/// Clients change large groups one member per operation (Entra ID sends one
/// `remove members[value eq "..."]` per removed member). Applied one by one, each operation
/// scans the whole member list, which is quadratic over a 10,000-member group; coalesced, a
/// run of them is one pass with a set of values.
enum PatchBatching {
    struct Step {
        /// Index in the request of the run's first operation, for error details.
        var index: Int
        var operation: PatchOperation
    }

    /// The operations with consecutive runs merged, where merging cannot change the result:
    /// - `add` of arrays to the same path without filter or sub-attribute (add appends and
    ///   skips duplicates, so two appends are one append);
    /// - `remove` of elements by `value` from the same attribute, written as
    ///   `attr[value eq "x"]` (or `or`-joined `value eq` terms) or as Entra ID's value list.
    ///   They become one remove with a value list, which compares values exactly as
    ///   `value eq` does.
    static func steps(_ operations: [PatchOperation]) -> [Step] {
        var steps: [Step] = []
        for (index, operation) in operations.enumerated() {
            if let last = steps.last, let merged = merge(last.operation, operation) {
                steps[steps.count - 1].operation = merged
            } else {
                steps.append(Step(index: index, operation: operation))
            }
        }
        return steps
    }

    private static func merge(_ a: PatchOperation, _ b: PatchOperation) -> PatchOperation? {
        switch (a.op, b.op) {
        case (.add, .add):
            guard let pa = a.path, let pb = b.path, isPlain(pa), pa == pb,
                case .array(let va)? = a.value, case .array(let vb)? = b.value
            else { return nil }
            return PatchOperation(op: .add, path: pa, value: .array(va + vb))
        case (.remove, .remove):
            guard let (pa, la) = removalByValue(a), let (pb, lb) = removalByValue(b), pa == pb else { return nil }
            return PatchOperation(op: .remove, path: pa, value: .array(la + lb))
        case (.add, _), (.remove, _), (.replace, _):
            return nil
        }
    }

    private static func isPlain(_ path: AttributePath) -> Bool {
        path.valueFilter == nil && path.subAttribute == nil
    }

    /// The attribute and listed `{"value": x}` elements a remove-by-value names, or nil.
    private static func removalByValue(_ op: PatchOperation) -> (AttributePath, [SCIMValue])? {
        guard let path = op.path, path.subAttribute == nil else { return nil }
        var base = path
        base.valueFilter = nil
        if let filter = path.valueFilter {
            var values: [SCIMValue] = []
            guard op.value == nil, collectValueEqualities(filter, into: &values) else { return nil }
            return (base, values)
        }
        guard case .array(let listed)? = op.value else { return nil }
        return (base, listed)
    }

    /// Collects `x` of each `value eq "x"` in a filter made only of such terms joined by `or`.
    private static func collectValueEqualities(_ filter: Filter, into values: inout [SCIMValue]) -> Bool {
        switch filter {
        case .compare(let p, .eq, .string(let s)):
            guard p.schema == nil, p.valueFilter == nil, p.subAttribute == nil, p.attribute.caseInsensitiveEquals("value")
            else { return false }
            values.append(.object(["value": .string(s)]))
            return true
        case .or(let l, let r):
            return collectValueEqualities(l, into: &values) && collectValueEqualities(r, into: &values)
        case .compare, .present, .and, .not, .valuePath:
            return false
        }
    }
}
