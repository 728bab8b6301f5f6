import Foundation

/// A fragment of HTML whose interpolated strings are escaped: `"<td>\(id)</td>"` is safe for
/// any `id`, since ids, names and reasons come from sources and targets. Only another
/// `HTML` value is inserted as it is.
struct HTML: ExpressibleByStringInterpolation, Sendable {
    var text: String

    init(stringLiteral value: String) { text = value }
    init(stringInterpolation: StringInterpolation) { text = stringInterpolation.text }
    init(raw: String) { text = raw }

    struct StringInterpolation: StringInterpolationProtocol {
        var text = ""
        init(literalCapacity: Int, interpolationCount: Int) { text.reserveCapacity(literalCapacity * 2) }
        mutating func appendLiteral(_ literal: String) { text += literal }
        mutating func appendInterpolation(_ value: String) { text += HTML.escape(value) }
        mutating func appendInterpolation(_ value: Substring) { text += HTML.escape(String(value)) }
        mutating func appendInterpolation(_ value: Int) { text += String(value) }
        mutating func appendInterpolation(_ value: HTML) { text += value.text }
        mutating func appendInterpolation(_ values: [HTML]) { text += values.map(\.text).joined() }
    }

    /// Escapes the five characters that can end text or an attribute value.
    static func escape(_ value: String) -> String {
        var result = ""
        result.reserveCapacity(value.utf8.count)
        for character in value {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    /// `<option>`s of `choices` (value, label), the one equal to `selected` selected.
    static func options(_ choices: [(value: String, label: String)], selected: String?) -> HTML {
        HTML(
            raw: choices.map { choice in
                let mark: HTML = choice.value == selected ? " selected" : ""
                return "<option value=\"\(choice.value)\"\(mark)>\(choice.label)</option>" as HTML
            }.map(\.text).joined())
    }
}

/// `value` percent-encoded for one segment of a path (only RFC 3986's unreserved characters stay).
func pathSegment(_ value: String) -> String {
    value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
}

private let unreserved: CharacterSet = {
    var allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    allowed.insert(charactersIn: "-._~")
    return allowed
}()

/// A path with a query, its values percent-encoded (then escaped once more where it goes into
/// an attribute, by interpolation).
func link(_ path: String, _ query: [(String, String)]) -> String {
    guard !query.isEmpty else { return path }
    return path + "?" + query.map { name, value in "\(name)=\(pathSegment(value))" }.joined(separator: "&")
}
