/// The `meta` attribute every resource carries (RFC 7643 §3.1). All sub-attributes are
/// assigned by the service provider; timestamps stay RFC 3339 strings as they travel.
public struct Meta: Sendable, Hashable {
    public var object: SCIMObject

    public init(_ object: SCIMObject) { self.object = object }

    public init(
        resourceType: String? = nil, created: String? = nil, lastModified: String? = nil, location: String? = nil,
        version: String? = nil
    ) {
        object = SCIMObject()
        self.resourceType = resourceType
        self.created = created
        self.lastModified = lastModified
        self.location = location
        self.version = version
    }

    /// `resourceType`, e.g. `User` or `Group`.
    public var resourceType: String? {
        get { object.string("resourceType") }
        set { object.setString("resourceType", newValue) }
    }

    /// `created`: an RFC 3339 timestamp such as `2010-01-23T04:56:22Z`.
    public var created: String? {
        get { object.string("created") }
        set { object.setString("created", newValue) }
    }

    public var lastModified: String? {
        get { object.string("lastModified") }
        set { object.setString("lastModified", newValue) }
    }

    /// `location`: the resource's URI.
    public var location: String? {
        get { object.string("location") }
        set { object.setString("location", newValue) }
    }

    /// `version`: the entity tag, e.g. `W/"3694e05e9dff590"` (RFC 7644 §3.14).
    public var version: String? {
        get { object.string("version") }
        set { object.setString("version", newValue) }
    }
}

extension SCIMResource {
    public var meta: Meta? {
        get { attributes["meta"]?.objectValue.map(Meta.init) }
        set { attributes["meta"] = newValue.map { .object($0.object) } }
    }
}
