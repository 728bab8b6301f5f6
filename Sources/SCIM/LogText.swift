/// Text from a source, a target or a provider made safe for a log line: control characters
/// escaped, and cut to a length a log line can carry.
public enum LogText {
    /// `text` with line breaks, tabs and other control characters escaped (so it cannot forge a
    /// log line), cut after `limit` scalars with an ellipsis.
    public static func safe(_ text: String, limit: Int = 500) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            if result.unicodeScalars.count >= limit {
                result += "…"
                break
            }
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                // Format characters include the bidirectional overrides (U+202E), which make
                // a terminal show a line other than the one written.
                let category = scalar.properties.generalCategory
                if category == .control || category == .format {
                    result += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result
    }
}
