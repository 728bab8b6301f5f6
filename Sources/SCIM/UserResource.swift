/// Typed access to the User attributes of RFC 7643 §4.1. The resource's JSON object stays the
/// single source of truth: every property reads and writes it, so attributes without a
/// property here are kept untouched. Setting nil removes an attribute.
extension SCIMResource {
    /// `userName`: unique identifier for the user, REQUIRED by RFC 7643 §4.1.1.
    public var userName: String? {
        get { attributes.string("userName") }
        set { attributes.setString("userName", newValue) }
    }

    /// `name`: the components of the user's name (RFC 7643 §4.1.1).
    public var name: Name? {
        get { attributes["name"]?.objectValue.map(Name.init) }
        set { attributes["name"] = newValue.map { .object($0.object) } }
    }

    public var nickName: String? {
        get { attributes.string("nickName") }
        set { attributes.setString("nickName", newValue) }
    }

    public var title: String? {
        get { attributes.string("title") }
        set { attributes.setString("title", newValue) }
    }

    public var userType: String? {
        get { attributes.string("userType") }
        set { attributes.setString("userType", newValue) }
    }

    /// `preferredLanguage`: an HTTP Accept-Language value such as `en-US`.
    public var preferredLanguage: String? {
        get { attributes.string("preferredLanguage") }
        set { attributes.setString("preferredLanguage", newValue) }
    }

    /// `locale`: a language tag such as `en-US`, for formatting.
    public var locale: String? {
        get { attributes.string("locale") }
        set { attributes.setString("locale", newValue) }
    }

    /// `timezone`: an IANA time zone name such as `America/Los_Angeles`.
    public var timezone: String? {
        get { attributes.string("timezone") }
        set { attributes.setString("timezone", newValue) }
    }

    /// `active`: the user's administrative status. Absent is not the same as false, so this
    /// stays optional.
    public var active: Bool? {
        get { attributes["active"]?.boolValue }
        set { attributes["active"] = newValue.map(SCIMValue.bool) }
    }

    public var emails: [MultiValuedAttribute] {
        get { multiValued("emails") }
        set { setMultiValued("emails", newValue) }
    }

    public var phoneNumbers: [MultiValuedAttribute] {
        get { multiValued("phoneNumbers") }
        set { setMultiValued("phoneNumbers", newValue) }
    }

    /// `addresses`: elements carry `formatted`, `streetAddress`, `locality`, `region`,
    /// `postalCode`, `country` besides `type` and `primary`; reach them by subscript.
    public var addresses: [MultiValuedAttribute] {
        get { multiValued("addresses") }
        set { setMultiValued("addresses", newValue) }
    }

    public var ims: [MultiValuedAttribute] {
        get { multiValued("ims") }
        set { setMultiValued("ims", newValue) }
    }

    public var photos: [MultiValuedAttribute] {
        get { multiValued("photos") }
        set { setMultiValued("photos", newValue) }
    }

    public var entitlements: [MultiValuedAttribute] {
        get { multiValued("entitlements") }
        set { setMultiValued("entitlements", newValue) }
    }

    public var roles: [MultiValuedAttribute] {
        get { multiValued("roles") }
        set { setMultiValued("roles", newValue) }
    }

    /// `groups`: read-only on the service provider (RFC 7643 §4.1.2); membership changes go
    /// through the Group's `members`.
    public var groups: [MultiValuedAttribute] {
        get { multiValued("groups") }
        set { setMultiValued("groups", newValue) }
    }
}

/// The `name` complex attribute of a User (RFC 7643 §4.1.1).
public struct Name: Sendable, Hashable {
    public var object: SCIMObject

    public init(_ object: SCIMObject) { self.object = object }

    public init(
        formatted: String? = nil, familyName: String? = nil, givenName: String? = nil, middleName: String? = nil,
        honorificPrefix: String? = nil, honorificSuffix: String? = nil
    ) {
        object = SCIMObject()
        self.formatted = formatted
        self.familyName = familyName
        self.givenName = givenName
        self.middleName = middleName
        self.honorificPrefix = honorificPrefix
        self.honorificSuffix = honorificSuffix
    }

    public var formatted: String? {
        get { object.string("formatted") }
        set { object.setString("formatted", newValue) }
    }

    public var familyName: String? {
        get { object.string("familyName") }
        set { object.setString("familyName", newValue) }
    }

    public var givenName: String? {
        get { object.string("givenName") }
        set { object.setString("givenName", newValue) }
    }

    public var middleName: String? {
        get { object.string("middleName") }
        set { object.setString("middleName", newValue) }
    }

    public var honorificPrefix: String? {
        get { object.string("honorificPrefix") }
        set { object.setString("honorificPrefix", newValue) }
    }

    public var honorificSuffix: String? {
        get { object.string("honorificSuffix") }
        set { object.setString("honorificSuffix", newValue) }
    }
}
