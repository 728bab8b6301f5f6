/// A JSON value as SCIM uses it (RFC 7643 §2.3).
///
/// SCIM's data types all travel as JSON: `string`, `boolean`, `decimal`, `integer`,
/// `dateTime` (an RFC 3339 string), `binary` (base64 string), `reference` (a URI string) and
/// `complex` (an object). Integers are kept apart from decimals so that a 64-bit identifier
/// survives a round trip exactly.
public enum SCIMValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case integer(Int64)
    case decimal(Double)
    case string(String)
    case array([SCIMValue])
    case object(SCIMObject)
}

extension SCIMValue {
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var objectValue: SCIMObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    public var arrayValue: [SCIMValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

extension SCIMValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByFloatLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .decimal(value) }
    public init(arrayLiteral elements: SCIMValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, SCIMValue)...) { self = .object(SCIMObject(elements)) }
    public init(nilLiteral: ()) { self = .null }
}
