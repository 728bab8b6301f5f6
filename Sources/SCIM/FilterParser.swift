/// Recursive-descent parser for SCIM filters and attribute paths (RFC 7644 §3.4.2.2, Figure 1,
/// and the PATH rule of §3.5.2):
///
///     FILTER    = attrExp / logExp / valuePath / *1"not" "(" FILTER ")"
///     valuePath = attrPath "[" valFilter "]"
///     valFilter = attrExp / logExp / *1"not" "(" valFilter ")"
///     attrExp   = (attrPath SP "pr") / (attrPath SP compareOp SP compValue)
///     logExp    = FILTER SP ("and" / "or") SP FILTER
///     compValue = false / null / true / number / string      ; JSON, RFC 7159
///     attrPath  = [URI ":"] ATTRNAME *1subAttr
///     ATTRNAME  = ALPHA *(nameChar)
///     nameChar  = "-" / "_" / DIGIT / ALPHA
///     subAttr   = "." ATTRNAME
///
/// Precedence (§3.4.2.2): grouping, then `not` over `and` over `or`; `and` and `or` associate
/// to the left. Keywords and operators are case-insensitive. Beyond the ABNF we accept:
/// any run of blanks where the ABNF has one SP, `$`-prefixed names such as `$ref`
/// (RFC 7643 §2.1 uses them for references), `true`/`false`/`null` in any case, and a
/// PATCH-style path `emails[type eq "work"].value` as the left side of a comparison.
///
/// The parser works on Unicode scalars so that error offsets do not depend on how the
/// input's grapheme clusters happen to combine with the quotes around string values.
///
/// Nesting and the number of comparisons are bounded (``Filter/maxNesting``,
/// ``Filter/maxComparisons``): the parser and everything that walks a filter recurse, and a
/// request of 20,000 nested parentheses must get a 400, not exhaust the stack.
struct FilterParser {
    private let scalars: [Unicode.Scalar]
    private var position = 0
    private let subject: FilterParseError.Subject
    /// Groups (`(`, `not (`, `[`) open at `position`.
    private var nesting = 0
    /// Comparisons and `pr` tests read so far.
    private var comparisons = 0

    init(_ text: String, subject: FilterParseError.Subject) {
        self.scalars = Array(text.unicodeScalars)
        self.subject = subject
    }

    // MARK: Entry points

    /// A whole filter; the input must end after it.
    mutating func parseWholeFilter() throws(FilterParseError) -> Filter {
        skipBlanks()
        if isAtEnd {
            throw error(expected: "a filter expression such as userName eq \"bjensen\"")
        }
        let filter = try parseOr(insideBrackets: false)
        skipBlanks()
        try expectEnd(expected: "\"and\", \"or\" or the end of the filter")
        return filter
    }

    /// A whole PATCH path (`PATH = attrPath / valuePath [subAttr]`); the input must end after it.
    mutating func parseWholePath() throws(FilterParseError) -> AttributePath {
        skipBlanks()
        let start = position
        var path = try parseAttrPath()
        if peek == "[" {
            if path.subAttribute != nil {
                // `name.x[...]` would print as `name[...].x`, which means something else.
                throw error(
                    at: position,
                    expected: "a value filter right after the top-level attribute name, e.g. emails[type eq \"work\"].value",
                    found: quoted(from: start, to: position + 1))
            }
            path.valueFilter = try parseBracketedFilter()
            if peek == "." {
                position += 1
                path.subAttribute = try parseAttributeName(what: "a sub-attribute name after \".\"")
            }
        }
        skipBlanks()
        try expectEnd(expected: "the end of the path")
        return path
    }

    // MARK: Logical operators

    private mutating func parseOr(insideBrackets: Bool) throws(FilterParseError) -> Filter {
        var left = try parseAnd(insideBrackets: insideBrackets)
        while consumeKeyword("or") {
            let right = try parseAnd(insideBrackets: insideBrackets)
            left = .or(left, right)
        }
        return left
    }

    private mutating func parseAnd(insideBrackets: Bool) throws(FilterParseError) -> Filter {
        var left = try parseUnary(insideBrackets: insideBrackets)
        while consumeKeyword("and") {
            let right = try parseUnary(insideBrackets: insideBrackets)
            left = .and(left, right)
        }
        return left
    }

    /// `not (...)`, `(...)`, a value path or an attribute expression.
    private mutating func parseUnary(insideBrackets: Bool) throws(FilterParseError) -> Filter {
        skipBlanks()
        guard let c = peek else {
            throw error(expected: "an attribute path, \"(\" or \"not\"")
        }
        if c == "(" {
            return try parseGroup(insideBrackets: insideBrackets)
        }
        if isNotKeyword() {
            position += 3
            skipBlanks()
            return .not(try parseGroup(insideBrackets: insideBrackets))
        }
        if c == ")" || c == "]" || c == "[" || c == "\"" {
            throw error(expected: "an attribute path, \"(\" or \"not\"")
        }
        return try parseAttributeExpression(insideBrackets: insideBrackets)
    }

    /// `"(" FILTER ")"`, at the opening parenthesis.
    private mutating func parseGroup(insideBrackets: Bool) throws(FilterParseError) -> Filter {
        let open = position
        guard peek == "(" else {
            throw error(expected: "\"(\" after \"not\" (RFC 7644 writes not (filter))")
        }
        try enterGroup(at: open)
        defer { nesting -= 1 }
        position += 1
        let inner = try parseOr(insideBrackets: insideBrackets)
        skipBlanks()
        guard peek == ")" else {
            throw error(expected: "\")\" to close the \"(\" at column \(open + 1), or \"and\" / \"or\"")
        }
        position += 1
        return inner
    }

    /// Counts one more open group, refusing one beyond ``Filter/maxNesting``.
    private mutating func enterGroup(at open: Int) throws(FilterParseError) {
        nesting += 1
        if nesting > Filter.maxNesting {
            nesting -= 1
            throw error(
                at: open, expected: "at most \(Filter.maxNesting) nested groups (\"(\", \"not (\", \"[\")",
                found: "group number \(Filter.maxNesting + 1), \(quoted(from: open, to: open + 1))")
        }
    }

    /// `not` followed by blanks and `(`; an attribute named `not` is followed by something else.
    private func isNotKeyword() -> Bool {
        guard matchesWord("not", at: position) else { return false }
        var i = position + 3
        while i < scalars.count, Self.isBlank(scalars[i]) { i += 1 }
        return i < scalars.count && scalars[i] == "("
    }

    // MARK: Attribute expressions

    private mutating func parseAttributeExpression(insideBrackets: Bool) throws(FilterParseError) -> Filter {
        comparisons += 1
        if comparisons > Filter.maxComparisons {
            throw error(
                at: position, expected: "at most \(Filter.maxComparisons) comparisons in one \(subject.rawValue)",
                found: "comparison number \(comparisons)")
        }
        var path = try parseAttrPath()
        if peek == "[" {
            if insideBrackets {
                throw error(expected: "a comparison inside the brackets: RFC 7644 §3.4.2.2 does not allow a \"[\" inside \"[...]\"")
            }
            let inner = try parseBracketedFilter()
            if peek == "." {
                // PATCH-style `emails[type eq "work"].value eq "x"`: a comparison on a selected sub-attribute.
                if path.subAttribute != nil {
                    throw error(expected: "at most one sub-attribute in an attribute path")
                }
                position += 1
                path.valueFilter = inner
                path.subAttribute = try parseAttributeName(what: "a sub-attribute name after \".\"")
            } else if isOperatorAhead() {
                // `emails[type eq "work"] pr`: only "and", "or" or an end can follow a plain value
                // path, so an operator here unambiguously continues a comparison on the path.
                path.valueFilter = inner
            } else {
                return .valuePath(path, inner)
            }
        }
        skipBlanks()
        let operatorStart = position
        let word = readToken()
        if word.isEmpty {
            throw error(at: operatorStart, expected: Self.operatorList, found: describeFound(at: operatorStart))
        }
        let lowered = word.lowercased()
        if lowered == "pr" {
            return .present(path)
        }
        guard let op = ComparisonOperator(rawValue: lowered) else {
            if path.schema == nil, path.subAttribute == nil, path.valueFilter == nil,
                path.attribute.lowercased() == "not"
            {
                // `not userName eq "x"`: RFC 7644 only has `not (FILTER)`.
                throw error(
                    at: operatorStart, expected: "\"(\" after \"not\" (write not (filter))", found: quoted(word))
            }
            throw error(at: operatorStart, expected: Self.operatorList, found: quoted(word))
        }
        skipBlanks()
        let value = try parseCompValue()
        return .compare(path, op, value)
    }

    /// Whether blanks and then `pr` or a comparison operator, standing alone, come next.
    private func isOperatorAhead() -> Bool {
        var i = position
        while i < scalars.count, Self.isBlank(scalars[i]) { i += 1 }
        guard i > position else { return false }
        var end = i
        while end < scalars.count, !Self.endsPathWord(scalars[end]) { end += 1 }
        let word = string(from: i, to: end).lowercased()
        return word == "pr" || ComparisonOperator(rawValue: word) != nil
    }

    private static let operatorList = "a comparison operator (eq, ne, co, sw, ew, pr, gt, ge, lt, le)"

    /// `"[" valFilter "]"`, at the opening bracket.
    private mutating func parseBracketedFilter() throws(FilterParseError) -> Filter {
        let open = position
        try enterGroup(at: open)
        defer { nesting -= 1 }
        position += 1
        let inner = try parseOr(insideBrackets: true)
        skipBlanks()
        guard peek == "]" else {
            if peek == "[" {
                throw error(expected: "\"]\": RFC 7644 §3.4.2.2 does not allow a \"[\" inside \"[...]\"")
            }
            throw error(expected: "\"]\" to close the \"[\" at column \(open + 1), or \"and\" / \"or\"")
        }
        position += 1
        return inner
    }

    // MARK: Attribute paths

    /// `[URI ":"] ATTRNAME *1subAttr`, stopping before `[`, blanks, parentheses and quotes.
    ///
    /// The URN prefix is everything up to the last colon (RFC 7644 §3.10): in
    /// `urn:ietf:params:scim:schemas:core:2.0:User:name.givenName` the schema is
    /// `urn:ietf:params:scim:schemas:core:2.0:User`, whose own dots (`2.0`) come before that colon.
    private mutating func parseAttrPath() throws(FilterParseError) -> AttributePath {
        let start = position
        var end = start
        while end < scalars.count, !Self.endsPathWord(scalars[end]) { end += 1 }
        if end == start {
            throw error(expected: "an attribute path such as userName or name.givenName")
        }
        var lastColon: Int?
        for i in start..<end where scalars[i] == ":" { lastColon = i }
        var schema: String?
        var nameStart = start
        if let colon = lastColon {
            if colon == start {
                throw error(at: start, expected: "a schema URN before \":\"", found: quoted(from: start, to: end))
            }
            schema = string(from: start, to: colon)
            nameStart = colon + 1
        }
        position = nameStart
        let attribute = try parseAttributeName(what: schema == nil ? "an attribute name" : "an attribute name after the schema URN")
        var subAttribute: String?
        if position < end, scalars[position] == "." {
            position += 1
            subAttribute = try parseAttributeName(what: "a sub-attribute name after \".\"")
        }
        if position < end {
            if scalars[position] == "." {
                throw error(expected: "at most one sub-attribute in an attribute path (attrPath = [URI \":\"] ATTRNAME *1subAttr)")
            }
            throw error(
                at: position,
                expected: "a letter, digit, \"-\" or \"_\" in the attribute name, or a blank before the operator",
                found: quoted(String(scalars[position])))
        }
        return AttributePath(schema: schema, attribute: attribute, subAttribute: subAttribute)
    }

    /// `ATTRNAME = ALPHA *(nameChar)`, also allowing a leading `$` (`$ref`, RFC 7643 §2.1).
    private mutating func parseAttributeName(what: String) throws(FilterParseError) -> String {
        let start = position
        if peek == "$" { position += 1 }
        guard let first = peek, Self.isAlpha(first) else {
            throw error(at: start, expected: what, found: describeFound(at: start))
        }
        position += 1
        while let c = peek, Self.isNameChar(c) { position += 1 }
        return string(from: start, to: position)
    }

    private static func endsPathWord(_ c: Unicode.Scalar) -> Bool {
        isBlank(c) || c == "[" || c == "]" || c == "(" || c == ")" || c == "\""
    }

    // MARK: Values

    /// `compValue = false / null / true / number / string` (JSON).
    private mutating func parseCompValue() throws(FilterParseError) -> SCIMValue {
        guard let c = peek else {
            throw error(expected: Self.valueList)
        }
        if c == "\"" {
            return .string(try parseString())
        }
        let start = position
        let token = readToken()
        if token.isEmpty {
            throw error(at: start, expected: Self.valueList, found: describeFound(at: start))
        }
        switch token.lowercased() {
        case "true": return .bool(true)
        case "false": return .bool(false)
        case "null": return .null
        default: break
        }
        if let first = token.unicodeScalars.first, first == "-" || Self.isDigit(first) {
            guard let number = Self.jsonNumber(token) else {
                throw error(at: start, expected: "a JSON number such as 42, -1.5 or 1e3", found: quoted(token))
            }
            return number
        }
        throw error(at: start, expected: Self.valueList + "; strings need double quotes", found: quoted(token))
    }

    private static let valueList = "a value (a \"quoted string\", a number, true, false or null)"

    /// RFC 7159 §6: `[ minus ] int [ frac ] [ exp ]`. Without fraction and exponent the value is
    /// an integer (kept exact); one that does not fit 64 bits becomes a decimal, like JSON.
    static func jsonNumber(_ token: String) -> SCIMValue? {
        let s = Array(token.utf8)
        var i = 0
        if i < s.count, s[i] == UInt8(ascii: "-") { i += 1 }
        guard i < s.count, isDigit(s[i]) else { return nil }
        if s[i] == UInt8(ascii: "0") {
            i += 1
        } else {
            while i < s.count, isDigit(s[i]) { i += 1 }
        }
        var isInteger = true
        if i < s.count, s[i] == UInt8(ascii: ".") {
            isInteger = false
            i += 1
            guard i < s.count, isDigit(s[i]) else { return nil }
            while i < s.count, isDigit(s[i]) { i += 1 }
        }
        if i < s.count, s[i] == UInt8(ascii: "e") || s[i] == UInt8(ascii: "E") {
            isInteger = false
            i += 1
            if i < s.count, s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") { i += 1 }
            guard i < s.count, isDigit(s[i]) else { return nil }
            while i < s.count, isDigit(s[i]) { i += 1 }
        }
        guard i == s.count else { return nil }
        if isInteger, let n = Int64(token) { return .integer(n) }
        guard let d = Double(token), d.isFinite else { return nil }
        return .decimal(d)
    }

    /// A JSON string (RFC 7159 §7), at the opening quote.
    private mutating func parseString() throws(FilterParseError) -> String {
        let open = position
        position += 1
        var result = String.UnicodeScalarView()
        while true {
            guard let c = peek else {
                throw error(at: open, expected: "a closing \" for the string that starts here", found: "end of input")
            }
            switch c {
            case "\"":
                position += 1
                return String(result)
            case "\\":
                result.append(try parseEscape())
            default:
                if c.value < 0x20 {
                    throw error(
                at: position,
                        expected: "an escaped control character (\\n, \\t, \\u0000 ...) inside the string",
                        found: "U+" + hex4(c.value))
                }
                result.append(c)
                position += 1
            }
        }
    }

    /// `\" \\ \/ \b \f \n \r \t \uXXXX`, a UTF-16 surrogate pair being two `\u` escapes.
    private mutating func parseEscape() throws(FilterParseError) -> Unicode.Scalar {
        let backslash = position
        position += 1
        guard let c = peek else {
            throw error(at: backslash, expected: "an escape sequence (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)", found: "end of input")
        }
        position += 1
        switch c {
        case "\"": return "\""
        case "\\": return "\\"
        case "/": return "/"
        case "b": return "\u{08}"
        case "f": return "\u{0C}"
        case "n": return "\n"
        case "r": return "\r"
        case "t": return "\t"
        case "u":
            let high = try parseHex4(escapeAt: backslash)
            if (0xDC00...0xDFFF).contains(high) {
                throw error(at: backslash, expected: "a high surrogate (\\uD800-\\uDBFF) before a low surrogate", found: quoted(from: backslash, to: position))
            }
            if (0xD800...0xDBFF).contains(high) {
                let second = position
                guard peek == "\\", position + 1 < scalars.count, scalars[position + 1] == "u" else {
                    throw error(at: backslash, expected: "a low surrogate escape (\\uDC00-\\uDFFF) after this high surrogate", found: quoted(from: backslash, to: position))
                }
                position += 2
                let low = try parseHex4(escapeAt: second)
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw error(at: second, expected: "a low surrogate (\\uDC00-\\uDFFF)", found: quoted(from: second, to: position))
                }
                let value = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                return Unicode.Scalar(value)!  // 0x10000...0x10FFFF by construction
            }
            return Unicode.Scalar(high)!  // surrogates excluded above
        default:
            throw error(at: backslash, expected: "an escape sequence (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)", found: quoted(from: backslash, to: position))
        }
    }

    private mutating func parseHex4(escapeAt start: Int) throws(FilterParseError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let c = peek, let digit = Self.hexValue(c) else {
                throw error(at: start, expected: "four hex digits after \\u", found: quoted(from: start, to: min(position + 1, scalars.count)))
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }

    // MARK: Scanning helpers

    private var isAtEnd: Bool { position >= scalars.count }
    private var peek: Unicode.Scalar? { position < scalars.count ? scalars[position] : nil }

    private mutating func skipBlanks() {
        while let c = peek, Self.isBlank(c) { position += 1 }
    }

    /// Consumes `keyword` (any case) after blanks when it stands alone: followed by a blank,
    /// a parenthesis or the end. Leaves the position unchanged otherwise.
    private mutating func consumeKeyword(_ keyword: String) -> Bool {
        let saved = position
        skipBlanks()
        let n = keyword.unicodeScalars.count
        if matchesWord(keyword, at: position) {
            let after = position + n
            if after == scalars.count || Self.isBlank(scalars[after]) || scalars[after] == "(" {
                position = after
                return true
            }
        }
        position = saved
        return false
    }

    private func matchesWord(_ word: String, at start: Int) -> Bool {
        var i = start
        for w in word.unicodeScalars {
            guard i < scalars.count, Self.lowerASCII(scalars[i]) == w else { return false }
            i += 1
        }
        return true
    }

    /// A maximal run of characters up to a blank, a bracket, a parenthesis or a quote.
    private mutating func readToken() -> String {
        let start = position
        while let c = peek, !Self.endsPathWord(c) { position += 1 }
        return string(from: start, to: position)
    }

    private mutating func expectEnd(expected: String) throws(FilterParseError) {
        guard let c = peek else { return }
        switch c {
        case ")": throw error(expected: expected + " (this \")\" has no matching \"(\")")
        case "]": throw error(expected: expected + " (this \"]\" has no matching \"[\")")
        default: throw error(expected: expected)
        }
    }

    private func string(from start: Int, to end: Int) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[start..<end])
        return String(view)
    }

    // MARK: Errors

    private func error(expected: String) -> FilterParseError {
        error(at: position, expected: expected, found: describeFound(at: position))
    }

    private func error(at offset: Int, expected: String, found: String) -> FilterParseError {
        FilterParseError(subject: subject, offset: offset, inputLength: scalars.count, expected: expected, found: found)
    }

    /// The token at `offset`: a lone punctuation character, or the run up to the next separator.
    private func describeFound(at offset: Int) -> String {
        guard offset < scalars.count else { return "end of input" }
        let c = scalars[offset]
        if Self.isBlank(c) { return "a blank" }
        if Self.endsPathWord(c) { return quoted(String(c)) }
        var end = offset
        while end < scalars.count, !Self.endsPathWord(scalars[end]) { end += 1 }
        return quoted(from: offset, to: max(end, offset + 1))
    }

    private func quoted(from start: Int, to end: Int) -> String {
        quoted(string(from: start, to: min(end, scalars.count)))
    }

    /// Cut to 24 scalars: a filter's values can be personal data, and a log line needs only
    /// enough to find the spot.
    private func quoted(_ token: String) -> String {
        let limit = 24
        let view = token.unicodeScalars
        if view.count <= limit { return "\"" + token + "\"" }
        var cut = String.UnicodeScalarView()
        cut.append(contentsOf: view.prefix(limit))
        return "\"" + String(cut) + "…\""
    }

    private func hex4(_ v: UInt32) -> String {
        let digits = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    // MARK: Character classes (ASCII, as the ABNF's ALPHA and DIGIT)

    static func isBlank(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" || c == "\n" || c == "\r" }
    static func isAlpha(_ c: Unicode.Scalar) -> Bool { ("a"..."z").contains(c) || ("A"..."Z").contains(c) }
    static func isDigit(_ c: Unicode.Scalar) -> Bool { ("0"..."9").contains(c) }
    static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
    static func isNameChar(_ c: Unicode.Scalar) -> Bool { isAlpha(c) || isDigit(c) || c == "-" || c == "_" }

    private static func lowerASCII(_ c: Unicode.Scalar) -> Unicode.Scalar {
        ("A"..."Z").contains(c) ? Unicode.Scalar(c.value | 0x20)! : c
    }

    private static func hexValue(_ c: Unicode.Scalar) -> UInt32? {
        switch c {
        case "0"..."9": return c.value - 0x30
        case "a"..."f": return c.value - 0x61 + 10
        case "A"..."F": return c.value - 0x41 + 10
        default: return nil
        }
    }
}
