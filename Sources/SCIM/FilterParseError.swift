/// A filter or attribute path that does not follow the grammar of RFC 7644 §3.4.2.2 / §3.5.2.
///
/// A SCIM service provider answers such input with HTTP 400 and `scimType` `invalidFilter`
/// (filters) or `invalidPath` (PATCH paths), RFC 7644 §3.12.
///
/// `offset` counts Unicode scalars from 0; `description` shows it as a 1-based column. The
/// offending token is quoted in `description` so that the client can find its mistake; it is
/// cut to a few characters, because a filter's values can be personal data.
public struct FilterParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of text was being parsed, which selects the prefix of `description`.
    public enum Subject: String, Sendable, Hashable {
        case filter
        case path
    }

    public var subject: Subject
    /// 0-based offset, in Unicode scalars, of the first character that does not fit.
    public var offset: Int
    /// Length of the whole input, in Unicode scalars (an `offset` equal to it means "at the end").
    public var inputLength: Int
    /// What the grammar allows at `offset`, e.g. `a comparison operator (eq, ne, ...)`.
    public var expected: String
    /// What was there instead: a quoted token, or `end of input`.
    public var found: String

    public init(subject: Subject, offset: Int, inputLength: Int, expected: String, found: String) {
        self.subject = subject
        self.offset = offset
        self.inputLength = inputLength
        self.expected = expected
        self.found = found
    }

    /// 1-based column of `offset`, the way editors count.
    public var column: Int { offset + 1 }

    /// e.g. `filter: at column 17: expected a comparison operator (eq, ne, co, sw, ew, pr, gt, ge, lt, le), found "eqq"`.
    public var description: String {
        "\(subject.rawValue): at column \(column): expected \(expected), found \(found)"
    }

    /// The input on one line and a caret under the offending column, followed by `description`:
    ///
    ///     userName eqq "bjensen"
    ///              ^
    ///     filter: at column 10: expected a comparison operator ..., found "eqq"
    ///
    /// Tabs and line breaks in the input are shown as spaces so that the caret lines up.
    public func caretDiagram(for input: String) -> String {
        var line = ""
        for scalar in input.unicodeScalars {
            switch scalar {
            case "\t", "\n", "\r": line.unicodeScalars.append(" ")
            default: line.unicodeScalars.append(scalar)
            }
        }
        let pad = String(repeating: " ", count: max(0, min(offset, inputLength)))
        return line + "\n" + pad + "^\n" + description
    }
}
