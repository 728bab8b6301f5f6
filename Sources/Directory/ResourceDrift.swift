import SCIM

/// How a target's copy of a resource differs from the source's, on the attributes both
/// layouts map: what reconciliation patches, and what its report shows.
public struct ResourceDrift: Sendable, Hashable {
    /// One attribute whose values differ (`.null` when a side has none).
    public struct Attribute: Sendable, Hashable {
        public var path: String
        public var source: SCIMValue
        public var target: SCIMValue
    }

    /// The PATCH operations that make the target's copy equal to the source's (`active`
    /// excluded, as in streaming: it becomes ``active``).
    public var operations: [PatchOperation]
    /// The source's `active` when it differs from the target's.
    public var active: Bool?
    /// The differing attributes, in map order.
    public var attributes: [Attribute]

    public var isEmpty: Bool { operations.isEmpty && active == nil }
}

extension RowMapper {
    /// The map restricted to the entries whose attribute `other` maps too: an attribute only
    /// one side stores cannot drift.
    public func sharingAttributes(with other: RowMapper) -> RowMapper {
        let theirs = Set(other.attributes.entries.map(\.path.normalized))
        var copy = self
        copy.attributes = AttributeMap(attributes.entries.filter { $0.path.isID || theirs.contains($0.path.normalized) })
        return copy
    }

    /// The drift of `target` from `source` on the attributes this map names (use
    /// ``sharingAttributes(with:)`` first when the two sides map different attributes).
    public func drift(of target: SCIMResource, from source: SCIMResource) -> ResourceDrift {
        let diff = AttributeDiff(mapper: self, old: target, new: source)
        var attributes: [ResourceDrift.Attribute] = []
        var seen: Set<AttributePath> = []
        for entry in self.attributes.entries where !entry.path.isID {
            let path = entry.path.normalized
            guard seen.insert(path).inserted else { continue }
            let was = lookup(path, in: target)
            let now = lookup(path, in: source)
            if was != now { attributes.append(.init(path: entry.pathText, source: now, target: was)) }
        }
        return ResourceDrift(operations: diff.operations, active: diff.active, attributes: attributes)
    }

    /// The value of the core `active` attribute in `resource`, nil when not mapped or null.
    public func active(in resource: SCIMResource) -> Bool? {
        guard kind == .user else { return nil }
        if case .bool(let flag) = lookup(AttributePath(schema: nil, attribute: "active", valueFilter: nil, subAttribute: nil), in: resource) {
            return flag
        }
        return nil
    }

    /// Whether the map has the core `active` attribute.
    public var mapsActive: Bool {
        attributes.entries.contains { entry in
            entry.path.isCore && entry.path.valueFilter == nil && entry.path.subAttribute == nil
                && entry.path.attribute.caseInsensitiveEquals("active")
        }
    }
}
