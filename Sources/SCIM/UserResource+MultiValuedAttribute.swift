/// One element of a multi-valued attribute (`emails`, `phoneNumbers`, `addresses`, `members`,
/// `groups`, ...): an object carrying the common sub-attributes of RFC 7643 §2.4 (`value`,
/// `type`, `primary`, `display`, `$ref`) plus any other sub-attributes, reachable by name.
///
/// The element is its JSON object; the properties read and write it.
public struct MultiValuedAttribute: Sendable, Hashable {
    public var object: SCIMObject

    public init(_ object: SCIMObject) { self.object = object }

    /// An element with the given common sub-attributes; nil ones are left out.
    public init(value: String? = nil, type: String? = nil, primary: Bool? = nil, display: String? = nil, ref: String? = nil) {
        object = SCIMObject()
        self.value = value
        self.type = type
        if let primary { self.object["primary"] = .bool(primary) }
        self.display = display
        self.ref = ref
    }

    /// `value`: the significant value, e.g. the address of an email or the id of a member.
    public var value: String? {
        get { object.string("value") }
        set { object.setString("value", newValue) }
    }

    /// `type`: a label such as `work` or `home`, or `User`/`Group` for group members.
    public var type: String? {
        get { object.string("type") }
        set { object.setString("type", newValue) }
    }

    /// `primary`: whether this is the preferred element. RFC 7643 §2.4: at most one element
    /// may be primary, and an absent flag means false.
    public var primary: Bool {
        get { object["primary"]?.boolValue ?? false }
        set { object["primary"] = newValue ? .bool(true) : nil }
    }

    /// `display`: a human-readable name, read-only on most service providers.
    public var display: String? {
        get { object.string("display") }
        set { object.setString("display", newValue) }
    }

    /// `$ref`: the URI of the resource the element points at (members, groups, manager).
    public var ref: String? {
        get { object.string("$ref") }
        set { object.setString("$ref", newValue) }
    }

    /// Any sub-attribute by name (case-insensitive), e.g. `streetAddress` of an address.
    public subscript(subAttribute: String) -> SCIMValue? {
        get { object[subAttribute] }
        set { object[subAttribute] = newValue }
    }
}

extension SCIMResource {
    /// The elements of the multi-valued attribute `name`, skipping any that are not objects.
    /// Setting an empty list removes the attribute (RFC 7644 §3.5.2.2 treats an empty
    /// multi-valued attribute as unassigned).
    public func multiValued(_ name: String) -> [MultiValuedAttribute] {
        attributes[name]?.arrayValue?.compactMap { $0.objectValue.map(MultiValuedAttribute.init) } ?? []
    }

    public mutating func setMultiValued(_ name: String, _ elements: [MultiValuedAttribute]) {
        attributes[name] = elements.isEmpty ? nil : .array(elements.map { .object($0.object) })
    }

    /// The element of `attribute` marked `primary`, or nil when none is.
    public func primary(of attribute: String) -> MultiValuedAttribute? {
        multiValued(attribute).first { $0.primary }
    }

    /// The `value` of the first element of `attribute` whose `type` equals `type`
    /// (case-insensitively: canonical types are lowercase but clients vary), or of the first
    /// element at all when `type` is nil.
    public func firstValue(of attribute: String, type: String? = nil) -> String? {
        let elements = multiValued(attribute)
        guard let type else { return elements.first?.value }
        return elements.first { $0.type?.caseInsensitiveEquals(type) ?? false }?.value
    }
}

extension SCIMObject {
    /// The string value of `key`, or nil when absent or not a string.
    func string(_ key: String) -> String? { self[key]?.stringValue }

    /// Sets `key` to a string, or removes it for nil.
    mutating func setString(_ key: String, _ value: String?) { self[key] = value.map(SCIMValue.string) }
}
