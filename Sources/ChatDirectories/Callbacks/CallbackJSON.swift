import Foundation

/// A JSON value as a callback's body or decrypted message holds it: numbers kept as their
/// integer text (DingTalk sends department ids as numbers, user ids as strings).
enum CallbackJSON: Decodable, Equatable {
    case string(String)
    case number(String)
    case bool(Bool)
    case null
    case array([CallbackJSON])
    case object([String: CallbackJSON])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .number(String(value))
        } else if let value = try? container.decode(Double.self) {
            self = .number(String(value))
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([CallbackJSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: CallbackJSON].self))
        }
    }

    /// The JSON object `bytes` hold, or a 400 refusal naming `what`.
    static func object(_ bytes: [UInt8], _ what: String) throws(CallbackRefusal) -> [String: CallbackJSON] {
        guard let value = try? JSONDecoder().decode(CallbackJSON.self, from: Data(bytes)), case .object(let object) = value
        else {
            throw CallbackRefusal(status: 400, reason: "\(what) is not a JSON object")
        }
        return object
    }

    subscript(key: String) -> CallbackJSON? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// A string, or a number's text: an id either way.
    var id: String? {
        switch self {
        case .string(let value): value
        case .number(let value): value
        default: nil
        }
    }
}
