/// Why JSON text could not be read as a ``SCIMValue``, and where.
///
/// `description` names the byte offset, the problem and what was expected; it never quotes
/// the input (which may hold personal data). The offending key of a duplicate is available
/// only through `String(reflecting:)`.
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What the reader was looking for when it stopped.
    public enum Expected: Sendable, Hashable, CustomStringConvertible {
        case value
        case objectKey
        case colon
        case commaOrObjectEnd
        case commaOrArrayEnd
        case digit
        case hexDigit
        case escapeCharacter
        case closingQuote
        /// `true`, `false` or `null`.
        case literal(String)
        case endOfInput

        public var description: String {
            switch self {
            case .value: "a JSON value"
            case .objectKey: "an object key (a string in double quotes)"
            case .colon: "':'"
            case .commaOrObjectEnd: "',' or '}'"
            case .commaOrArrayEnd: "',' or ']'"
            case .digit: "a digit"
            case .hexDigit: "a hexadecimal digit"
            case .escapeCharacter: "one of \" \\ / b f n r t u after '\\'"
            case .closingQuote: "the closing '\"' of a string"
            case .literal(let word): "'\(word)'"
            case .endOfInput: "the end of the input"
            }
        }
    }

    public enum Reason: Sendable, Hashable {
        /// The input ended early.
        case unexpectedEnd(expected: Expected)
        /// A byte that the grammar does not allow here (RFC 8259 §2–§7).
        case unexpectedByte(UInt8, expected: Expected)
        /// A `\u` escape naming half of a surrogate pair without the other half (RFC 8259 §7).
        case unpairedSurrogate
        /// Bytes that are not well-formed UTF-8 (RFC 8259 §8.1, RFC 3629 §4).
        case invalidUTF8
        /// A control character (U+0000–U+001F) not escaped inside a string (RFC 8259 §7).
        case unescapedControlCharacter
        /// The same member name twice in one object. SCIM attribute names are case-insensitive
        /// (RFC 7643 §2.1), so names differing only in ASCII case count as the same.
        case duplicateKey(String)
        /// An integer (no fraction, no exponent) outside the 64-bit range: it would lose
        /// precision as a decimal, so it is refused rather than silently rounded.
        case integerOutOfRange
        /// A number whose magnitude exceeds what a Double holds.
        case numberOutOfRange
        /// Arrays and objects nested deeper than the reader's limit.
        case nestingTooDeep(limit: Int)
    }

    /// Offset of the offending byte from the start of the input (0-based, in UTF-8 bytes).
    public var offset: Int
    public var reason: Reason

    public init(offset: Int, reason: Reason) {
        self.offset = offset
        self.reason = reason
    }

    public var description: String {
        let what: String
        switch reason {
        case .unexpectedEnd(let expected): what = "input ended, expected \(expected)"
        case .unexpectedByte(let byte, let expected): what = "unexpected \(Self.describe(byte)), expected \(expected)"
        case .unpairedSurrogate: what = "\\u escape is half of a UTF-16 surrogate pair without its other half"
        case .invalidUTF8: what = "bytes are not valid UTF-8"
        case .unescapedControlCharacter: what = "control character inside a string must be escaped as \\uXXXX"
        case .duplicateKey: what = "duplicate member name in object (names compare case-insensitively)"
        case .integerOutOfRange: what = "integer does not fit in 64 bits"
        case .numberOutOfRange: what = "number is too large for a double"
        case .nestingTooDeep(let limit): what = "arrays/objects nested deeper than \(limit) levels"
        }
        return "invalid JSON at byte \(offset): \(what)"
    }

    public var debugDescription: String {
        if case .duplicateKey(let key) = reason { return "\(description) (key \"\(key)\")" }
        return description
    }

    /// A byte shown as a quoted ASCII character when printable, as hex otherwise.
    static func describe(_ byte: UInt8) -> String {
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        let hex = String(byte, radix: 16, uppercase: true)
        return "byte 0x\(hex.count == 1 ? "0" + hex : hex)"
    }
}
