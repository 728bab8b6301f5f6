/// `${VAR}` expansion in configuration values.
///
/// Secrets stay out of the file: `password: "${HR_DB_PASSWORD}"`. A variable that is not set is
/// an error, not an empty string, because an empty password or host would only fail later and
/// further from the cause. `${VAR:-fallback}` gives a default; `$$` writes a literal `$`.
enum EnvironmentExpansion {
    enum Failure: Error, Equatable {
        case unset(String)
        case unterminated
        case badName(String)
    }

    static func expand(_ text: String, environment: [String: String]) throws(Failure) -> String {
        guard text.contains("$") else { return text }
        var result = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            let next = text.index(after: index)
            guard character == "$", next < text.endIndex else {
                result.append(character)
                index = next
                continue
            }
            switch text[next] {
            case "$":
                result.append("$")
                index = text.index(after: next)
            case "{":
                let bodyStart = text.index(after: next)
                guard let close = text[bodyStart...].firstIndex(of: "}") else { throw .unterminated }
                let body = text[bodyStart..<close]
                let name: Substring
                let fallback: Substring?
                if let dash = body.range(of: ":-") {
                    name = body[..<dash.lowerBound]
                    fallback = body[dash.upperBound...]
                } else {
                    name = body
                    fallback = nil
                }
                guard isVariableName(name) else { throw .badName(String(name)) }
                if let value = environment[String(name)] {
                    result += value
                } else if let fallback {
                    result += fallback
                } else {
                    throw .unset(String(name))
                }
                index = text.index(after: close)
            default:
                result.append(character)
                index = next
            }
        }
        return result
    }

    private static func isVariableName(_ name: Substring) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { scalar in
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "_": return true
            default: return false
            }
        }
    }
}
