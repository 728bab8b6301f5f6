import Foundation

/// The parameters of a `Content-Disposition` or `Content-Type` header value (RFC 7578 §4.2,
/// RFC 2045 §5.1): `form-data; name="file"; filename="users.tsv"`.
///
/// Values may be tokens or quoted strings (with `\"` escapes); `filename*=UTF-8''…` (RFC 5987)
/// wins over `filename` when both are given, as RFC 6266 §4.3 says.
struct HeaderParameters: Sendable, Hashable {
    /// The value before the first `;`, lowercased (`form-data`, `multipart/form-data`).
    var value: String
    /// Parameter names lowercased; values unquoted.
    var parameters: [String: String]

    init(_ header: String) {
        var parts: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for character in header {
            if escaped {
                current.append(character)
                escaped = false
            } else if quoted, character == "\\" {
                current.append(character)
                escaped = true
            } else if character == "\"" {
                current.append(character)
                quoted.toggle()
            } else if character == ";", !quoted {
                parts.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        parts.append(current)
        value = parts[0].trimmingCharacters(in: .whitespaces).lowercased()
        var parameters: [String: String] = [:]
        for part in parts.dropFirst() {
            guard let equals = part.firstIndex(of: "=") else { continue }
            let name = part[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            var text = part[part.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") {
                text = Self.unquote(String(text.dropFirst().dropLast()))
            }
            if !name.isEmpty { parameters[name] = text }
        }
        self.parameters = parameters
    }

    /// The file name a part carries: `filename*` (percent-encoded UTF-8) or `filename`, with
    /// any directory a client put in front of it dropped (RFC 7578 §4.2: the name must not be
    /// used as a path).
    var fileName: String? {
        var name: String?
        if let extended = parameters["filename*"], let decoded = Self.decodeExtended(extended) {
            name = decoded
        } else {
            name = parameters["filename"]
        }
        guard let name else { return nil }
        if let slash = name.lastIndex(where: { $0 == "/" || $0 == "\\" }) {
            return String(name[name.index(after: slash)...])
        }
        return name
    }

    private static func unquote(_ text: String) -> String {
        var result = ""
        var escaped = false
        for character in text {
            if escaped {
                result.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                result.append(character)
            }
        }
        return result
    }

    /// `UTF-8''na%C3%AFve.tsv` as `naïve.tsv`; nil for another charset or bad escapes.
    private static func decodeExtended(_ text: String) -> String? {
        let pieces = text.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        guard pieces.count == 3, pieces[0].lowercased() == "utf-8" else { return nil }
        return String(pieces[2]).removingPercentEncoding
    }
}
