import Directory
import SCIM

/// The top-level attributes (and extension sub-attributes) a source layout maps, per kind: a
/// create that finds its resource already on the provider brings exactly these into line.
public struct ManagedAttributes: Sendable, Hashable {
    /// Lowercased core attribute names, per kind.
    var core: [ResourceKind: Set<String>]
    /// Lowercased extension URN → lowercased sub-attribute names, per kind.
    var extensions: [ResourceKind: [String: Set<String>]]

    /// The attributes `layout` maps, plus `externalId`, which the target sets to the source
    /// id when the layout does not map it.
    public init(layout: DirectoryLayout) {
        var core: [ResourceKind: Set<String>] = [:]
        var extensions: [ResourceKind: [String: Set<String>]] = [:]
        var maps: [(ResourceKind, AttributeMap)] = [(.user, layout.users.attributes)]
        if let groups = layout.groups { maps.append((.group, groups.attributes)) }
        for (kind, map) in maps {
            var names: Set<String> = ["externalid"]
            var urns: [String: Set<String>] = [:]
            for entry in map.entries {
                let attribute = entry.path.attribute.lowercased()
                if let urn = entry.path.extensionSchema {
                    urns[urn.lowercased(), default: []].insert(attribute)
                } else if attribute != "id" {
                    names.insert(attribute)
                }
            }
            core[kind] = names
            extensions[kind] = urns
        }
        self.core = core
        self.extensions = extensions
    }

    /// `object` with only the managed attributes (and `schemas`) of `kind`.
    public func project(_ object: SCIMObject, kind: ResourceKind) -> SCIMObject {
        let names = core[kind] ?? []
        let urns = extensions[kind] ?? [:]
        var projected = SCIMObject()
        for (key, value) in object.members {
            let lowered = key.lowercased()
            if lowered == "schemas" || names.contains(lowered) {
                projected[key] = value
            } else if let subAttributes = urns[lowered], let extensionObject = value.objectValue {
                var kept = SCIMObject()
                for (subKey, subValue) in extensionObject.members where subAttributes.contains(subKey.lowercased()) {
                    kept[subKey] = subValue
                }
                if !kept.isEmpty { projected[key] = .object(kept) }
            }
        }
        return projected
    }
}
