/// Text from a source, a target or a provider made safe for a log line: control characters
/// escaped, and cut to a length a log line can carry.
public enum LogText {
    /// `text` with line breaks, tabs and other control characters escaped (so it cannot forge a
    /// log line), cut after `limit` scalars with an ellipsis.
    public static func safe(_ text: String, limit: Int = 500) -> String {
        var result = ""
        var kept = 0
        for scalar in text.unicodeScalars {
            if kept >= limit {
                result += "…"
                break
            }
            kept += 1
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if isLayoutControl(scalar) {
                    result += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result
    }

    /// Whether `scalar` changes how a line reads rather than adding to what it says: control
    /// characters (line breaks, terminal escapes), format characters (the bidirectional
    /// override U+202E makes a terminal show a line other than the one written) and the line
    /// and paragraph separators. Client text that names something (a file, a person) must not
    /// hold one.
    public static func isLayoutControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: true
        default: false
        }
    }
}
