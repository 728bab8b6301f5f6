/// Text a chat platform sent (a department's or a user's name, an error's `msg`) made safe for a
/// log line or an error message: it may come from anyone who can edit the directory.
///
/// Control characters are escaped, so a name cannot forge a log line; so are Unicode format
/// characters (general category Cf: the bidirectional overrides U+202A–U+202E and U+2066–U+2069,
/// zero-width joiners), which can make a line read differently from what it holds. The result is
/// cut after `limit` scalars with an ellipsis: a platform's message is not a place for a page.
public enum PlatformText {
    /// The longest text kept by default, in Unicode scalars.
    public static let defaultLimit = 200

    public static func safe(_ text: String, limit: Int = defaultLimit) -> String {
        var result = ""
        var kept = 0
        for scalar in text.unicodeScalars {
            if kept >= max(limit, 0) {
                result += "…"
                break
            }
            kept += 1
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\\": result += "\\\\"
            default:
                switch scalar.properties.generalCategory {
                case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .unassigned, .privateUse:
                    result += "\\u{\(String(scalar.value, radix: 16))}"
                default:
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result
    }
}
