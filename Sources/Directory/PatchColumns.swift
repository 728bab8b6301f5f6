import SCIM

extension RowMapper {
    /// The mapped columns a PATCH operation (RFC 7644 §3.5.2) may change, in map order.
    ///
    /// - With a path, the columns of every map entry under it: `name` touches `name.givenName`
    ///   and `name.familyName`; `emails` touches every `emails…` entry; `emails[type eq
    ///   "work"]` touches the entries whose filter can pick the same element (not those of
    ///   `emails[type eq "home"]`); an operation on an attribute a filter tests
    ///   (`emails[…].type`) touches that filter's entries, whose element it may move.
    /// - Without a path, the value is an object of attributes, and every entry under one of
    ///   its attributes is touched (extension attributes nest under their URN).
    public func columns(affectedBy operation: PatchOperation) -> [String] {
        let touched: [AttributeMap.Entry]
        if let target = operation.path {
            touched = attributes.entries.filter { Self.path(target, touches: $0.path.normalized) }
        } else {
            touched = attributes.entries.filter { entry in
                guard case .object(let value)? = operation.value else { return false }
                if let urn = entry.path.extensionSchema {
                    return value[urn]?.objectValue?[entry.path.attribute] != nil
                }
                return value[entry.path.attribute] != nil
            }
        }
        var columns: [String] = []
        for entry in touched where !columns.contains(where: { $0.caseInsensitiveEquals(entry.column) }) {
            columns.append(entry.column)
        }
        return columns
    }

    private static func path(_ target: AttributePath, touches mapped: AttributePath) -> Bool {
        guard sameName(target.extensionSchema, mapped.extensionSchema),
            target.attribute.caseInsensitiveEquals(mapped.attribute)
        else { return false }
        if let targetFilter = target.valueFilter, let mappedFilter = mapped.valueFilter,
            !EqualityFilter.mayOverlap(targetFilter, mappedFilter)
        {
            return false
        }
        guard let sub = target.subAttribute else { return true }
        if let mappedSub = mapped.subAttribute, mappedSub.caseInsensitiveEquals(sub) { return true }
        let filterNames = mapped.valueFilter.flatMap(EqualityFilter.pairs)?.map(\.name) ?? []
        return filterNames.contains { $0.caseInsensitiveEquals(sub) }
    }
}

/// Whether two optional names are both absent or equal ignoring ASCII case.
func sameName(_ a: String?, _ b: String?) -> Bool {
    switch (a, b) {
    case (nil, nil): true
    case (let x?, let y?): x.caseInsensitiveEquals(y)
    case (nil, _?), (_?, nil): false
    }
}
