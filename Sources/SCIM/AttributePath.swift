/// A SCIM attribute path (RFC 7644 §3.10 and the PATH rule of §3.5.2):
///
///     PATH      = attrPath / valuePath [subAttr]
///     attrPath  = [URI ":"] ATTRNAME *1subAttr
///     valuePath = attrPath "[" valFilter "]"
///
/// Examples: `userName`, `name.givenName`, `emails[type eq "work"].value`,
/// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager`,
/// `members[value eq "2819c223"]`.
public struct AttributePath: Sendable, Hashable {
    /// The schema URN prefix when the path is fully qualified, e.g.
    /// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`.
    public var schema: String?
    /// The top-level attribute name, e.g. `emails`.
    public var attribute: String
    /// The filter in brackets selecting elements of a multi-valued attribute.
    public var valueFilter: Filter?
    /// The sub-attribute after the dot, e.g. `value` or `givenName`.
    public var subAttribute: String?

    public init(schema: String? = nil, attribute: String, valueFilter: Filter? = nil, subAttribute: String? = nil) {
        self.schema = schema
        self.attribute = attribute
        self.valueFilter = valueFilter
        self.subAttribute = subAttribute
    }

    public static func == (lhs: AttributePath, rhs: AttributePath) -> Bool {
        optionalCaseInsensitiveEquals(lhs.schema, rhs.schema)
            && lhs.attribute.caseInsensitiveEquals(rhs.attribute)
            && lhs.valueFilter == rhs.valueFilter
            && optionalCaseInsensitiveEquals(lhs.subAttribute, rhs.subAttribute)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(schema?.lowercased())
        hasher.combine(attribute.lowercased())
        hasher.combine(valueFilter)
        hasher.combine(subAttribute?.lowercased())
    }
}

extension AttributePath {
    /// Parses a PATCH path or attribute reference (RFC 7644 §3.5.2 PATH, §3.10):
    /// `userName`, `name.givenName`, `emails[type eq "work"].value`,
    /// `members[value eq "2819c223-7f76-453a-919d-413861904646"]`,
    /// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`.
    ///
    /// The schema URN is everything before the last colon; the filter in brackets is relative to
    /// the attribute and may not contain another `[`. Blanks around the path are ignored.
    public static func parse(_ text: String) throws(FilterParseError) -> AttributePath {
        var parser = FilterParser(text, subject: .path)
        return try parser.parseWholePath()
    }
}

@usableFromInline
func optionalCaseInsensitiveEquals(_ a: String?, _ b: String?) -> Bool {
    switch (a, b) {
    case (nil, nil): return true
    case (let x?, let y?): return x.caseInsensitiveEquals(y)
    default: return false
    }
}
