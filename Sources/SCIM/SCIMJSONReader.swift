/// Reading JSON text (RFC 8259) into a ``SCIMValue``.
///
/// Hand-written rather than JSONSerialization/Codable because SCIM needs what those lose:
/// member order (stable output, readable diffs), integers kept exact as `Int64` apart from
/// decimals, and duplicate member names refused instead of silently collapsed.
extension SCIMValue {
    /// Deepest nesting of arrays and objects the reader accepts unless told otherwise: deep
    /// enough for any real SCIM document, shallow enough that hostile input cannot exhaust the
    /// stack of the recursive reader.
    public static let defaultMaximumJSONDepth = 512

    /// Parses one JSON value from UTF-8 bytes.
    ///
    /// - A number with a fraction or an exponent is `.decimal`; any other number is `.integer`
    ///   and must fit in `Int64`.
    /// - Duplicate member names in one object are an error (compared case-insensitively, as
    ///   SCIM compares attribute names).
    /// - Whitespace may surround the value; anything else after it is an error.
    public init(json bytes: some Collection<UInt8>, maximumDepth: Int = SCIMValue.defaultMaximumJSONDepth)
        throws(JSONParseError)
    {
        let result =
            bytes.withContiguousStorageIfAvailable { JSONReader.read($0, maximumDepth: maximumDepth) }
            ?? Array(bytes).withUnsafeBufferPointer { JSONReader.read($0, maximumDepth: maximumDepth) }
        self = try result.get()
    }

    /// Parses one JSON value from text, with the rules of the byte-based initialiser.
    public init(json text: String, maximumDepth: Int = SCIMValue.defaultMaximumJSONDepth) throws(JSONParseError) {
        var text = text
        let result = text.withUTF8 { JSONReader.read($0, maximumDepth: maximumDepth) }
        self = try result.get()
    }
}

/// A recursive-descent reader over the UTF-8 bytes; strings without escapes become `String`s
/// straight from their bytes, so no per-character work allocates.
struct JSONReader {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var i = 0
    private let maximumDepth: Int
    /// Reused for strings that contain escapes.
    private var scratch: [UInt8] = []

    private init(_ bytes: UnsafeBufferPointer<UInt8>, maximumDepth: Int) {
        self.bytes = bytes
        self.maximumDepth = maximumDepth
    }

    static func read(_ bytes: UnsafeBufferPointer<UInt8>, maximumDepth: Int) -> Result<SCIMValue, JSONParseError> {
        var reader = JSONReader(bytes, maximumDepth: maximumDepth)
        do throws(JSONParseError) {
            let value = try reader.readValue(depth: 0)
            reader.skipWhitespace()
            if reader.i < bytes.count {
                throw JSONParseError(
                    offset: reader.i, reason: .unexpectedByte(bytes[reader.i], expected: .endOfInput))
            }
            return .success(value)
        } catch {
            return .failure(error)
        }
    }

    // MARK: Values

    private mutating func readValue(depth: Int) throws(JSONParseError) -> SCIMValue {
        skipWhitespace()
        guard i < bytes.count else { throw JSONParseError(offset: i, reason: .unexpectedEnd(expected: .value)) }
        switch bytes[i] {
        case Byte.openBrace: return .object(try readObject(depth: depth + 1))
        case Byte.openBracket: return .array(try readArray(depth: depth + 1))
        case Byte.quote: return .string(try readString())
        case Byte.t: try readLiteral("true"); return .bool(true)
        case Byte.f: try readLiteral("false"); return .bool(false)
        case Byte.n: try readLiteral("null"); return .null
        case Byte.minus, Byte.zero...Byte.nine: return try readNumber()
        case let other: throw JSONParseError(offset: i, reason: .unexpectedByte(other, expected: .value))
        }
    }

    private mutating func readObject(depth: Int) throws(JSONParseError) -> SCIMObject {
        try checkDepth(depth)
        i += 1  // {
        var members: [(key: String, value: SCIMValue)] = []
        // Small objects (nearly all SCIM objects) check duplicates by a linear scan; large ones
        // switch to a set so that a hostile object with many members stays linear.
        var seen: Set<CaseInsensitiveKey> = []
        var usesSet = false
        skipWhitespace()
        if i < bytes.count && bytes[i] == Byte.closeBrace {
            i += 1
            return SCIMObject(uniqueMembers: members)
        }
        while true {
            skipWhitespace()
            guard i < bytes.count else { throw JSONParseError(offset: i, reason: .unexpectedEnd(expected: .objectKey)) }
            guard bytes[i] == Byte.quote else {
                throw JSONParseError(offset: i, reason: .unexpectedByte(bytes[i], expected: .objectKey))
            }
            let keyOffset = i
            let key = try readString()
            skipWhitespace()
            try expect(Byte.colon, .colon)
            let value = try readValue(depth: depth)

            let duplicate: Bool
            if usesSet {
                duplicate = !seen.insert(CaseInsensitiveKey(key)).inserted
            } else if members.count < 16 {
                duplicate = members.contains { $0.key.caseInsensitiveEquals(key) }
            } else {
                usesSet = true
                seen = Set(members.map { CaseInsensitiveKey($0.key) })
                duplicate = !seen.insert(CaseInsensitiveKey(key)).inserted
            }
            if duplicate { throw JSONParseError(offset: keyOffset, reason: .duplicateKey(key)) }
            members.append((key, value))

            skipWhitespace()
            guard i < bytes.count else {
                throw JSONParseError(offset: i, reason: .unexpectedEnd(expected: .commaOrObjectEnd))
            }
            switch bytes[i] {
            case Byte.comma: i += 1
            case Byte.closeBrace:
                i += 1
                return SCIMObject(uniqueMembers: members)
            case let other: throw JSONParseError(offset: i, reason: .unexpectedByte(other, expected: .commaOrObjectEnd))
            }
        }
    }

    private mutating func readArray(depth: Int) throws(JSONParseError) -> [SCIMValue] {
        try checkDepth(depth)
        i += 1  // [
        var elements: [SCIMValue] = []
        skipWhitespace()
        if i < bytes.count && bytes[i] == Byte.closeBracket {
            i += 1
            return elements
        }
        while true {
            elements.append(try readValue(depth: depth))
            skipWhitespace()
            guard i < bytes.count else {
                throw JSONParseError(offset: i, reason: .unexpectedEnd(expected: .commaOrArrayEnd))
            }
            switch bytes[i] {
            case Byte.comma: i += 1
            case Byte.closeBracket:
                i += 1
                return elements
            case let other: throw JSONParseError(offset: i, reason: .unexpectedByte(other, expected: .commaOrArrayEnd))
            }
        }
    }

    private func checkDepth(_ depth: Int) throws(JSONParseError) {
        if depth > maximumDepth { throw JSONParseError(offset: i, reason: .nestingTooDeep(limit: maximumDepth)) }
    }

    private mutating func readLiteral(_ word: StaticString) throws(JSONParseError) {
        let expected = JSONParseError.Expected.literal(word.description)
        let start = word.utf8Start
        for k in 0..<word.utf8CodeUnitCount {
            guard i < bytes.count else { throw JSONParseError(offset: i, reason: .unexpectedEnd(expected: expected)) }
            guard bytes[i] == start[k] else {
                throw JSONParseError(offset: i, reason: .unexpectedByte(bytes[i], expected: expected))
            }
            i += 1
        }
    }

    // MARK: Numbers

    /// RFC 8259 §6: `-? (0 / [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    private mutating func readNumber() throws(JSONParseError) -> SCIMValue {
        let start = i
        let negative = bytes[i] == Byte.minus
        if negative { i += 1 }
        guard i < bytes.count else { throw JSONParseError(offset: i, reason: .unexpectedEnd(expected: .digit)) }
        guard isDigit(bytes[i]) else { throw JSONParseError(offset: i, reason: .unexpectedByte(bytes[i], expected: .digit)) }

        // Accumulate negatively so that Int64.min, whose magnitude has no positive Int64, reads.
        var magnitude: Int64 = 0
        var overflow = false
        if bytes[i] == Byte.zero {
            i += 1
        } else {
            while i < bytes.count && isDigit(bytes[i]) {
                let (m, o1) = magnitude.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.subtractingReportingOverflow(Int64(bytes[i] &- Byte.zero))
                overflow = overflow || o1 || o2
                magnitude = s
                i += 1
            }
        }
        var isDecimal = false
        if i < bytes.count && bytes[i] == Byte.dot {
            isDecimal = true
            i += 1
            try readDigits()
        }
        if i < bytes.count && (bytes[i] == Byte.e || bytes[i] == Byte.E) {
            isDecimal = true
            i += 1
            if i < bytes.count && (bytes[i] == Byte.plus || bytes[i] == Byte.minus) { i += 1 }
            try readDigits()
        }
        if isDecimal {
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
            guard let d = Double(text), d.isFinite else {
                throw JSONParseError(offset: start, reason: .numberOutOfRange)
            }
            return .decimal(d)
        }
        if negative {
            if overflow { throw JSONParseError(offset: start, reason: .integerOutOfRange) }
            return .integer(magnitude)
        }
        let (positive, o) = (0 as Int64).subtractingReportingOverflow(magnitude)
        if overflow || o { throw JSONParseError(offset: start, reason: .integerOutOfRange) }
        return .integer(positive)
    }

    private mutating func readDigits() throws(JSONParseError) {
        guard i < bytes.count else { throw JSONParseError(offset: i, reason: .unexpectedEnd(expected: .digit)) }
        guard isDigit(bytes[i]) else { throw JSONParseError(offset: i, reason: .unexpectedByte(bytes[i], expected: .digit)) }
        while i < bytes.count && isDigit(bytes[i]) { i += 1 }
    }

    private func isDigit(_ b: UInt8) -> Bool { b >= Byte.zero && b <= Byte.nine }

    // MARK: Strings

    /// Reads a string starting at its opening quote. The common case, no escapes, makes the
    /// `String` straight from the input bytes after validating them.
    private mutating func readString() throws(JSONParseError) -> String {
        i += 1  // "
        let start = i
        while i < bytes.count {
            let b = bytes[i]
            if b == Byte.quote {
                let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
                i += 1
                return s
            }
            if b == Byte.backslash { break }
            try advanceOverCharacter(b)
        }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i]))
        while i < bytes.count {
            let b = bytes[i]
            if b == Byte.quote {
                i += 1
                return String(decoding: scratch, as: UTF8.self)
            }
            if b == Byte.backslash {
                try readEscape()
            } else {
                let from = i
                try advanceOverCharacter(b)
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[from..<i]))
            }
        }
        throw JSONParseError(offset: i, reason: .unexpectedEnd(expected: .closingQuote))
    }

    /// Moves past one unescaped character of a string, checking RFC 8259 §7 (no raw control
    /// characters) and RFC 3629 §4 (well-formed UTF-8: no overlongs, no surrogates, ≤ U+10FFFF).
    private mutating func advanceOverCharacter(_ b: UInt8) throws(JSONParseError) {
        if b < 0x20 { throw JSONParseError(offset: i, reason: .unescapedControlCharacter) }
        if b < 0x80 {
            i += 1
            return
        }
        guard let (length, low, high) = UTF8Lead.sequence(startingWith: b) else {
            throw JSONParseError(offset: i, reason: .invalidUTF8)
        }
        guard i + length <= bytes.count else { throw JSONParseError(offset: i, reason: .invalidUTF8) }
        let second = bytes[i + 1]
        guard second >= low && second <= high else { throw JSONParseError(offset: i + 1, reason: .invalidUTF8) }
        for k in 2..<max(2, length) where bytes[i + k] & 0xC0 != 0x80 {
            throw JSONParseError(offset: i + k, reason: .invalidUTF8)
        }
        i += length
    }

    /// Reads one escape sequence (starting at the backslash) and appends its UTF-8 to `scratch`.
    private mutating func readEscape() throws(JSONParseError) {
        i += 1  // backslash
        guard i < bytes.count else { throw JSONParseError(offset: i, reason: .unexpectedEnd(expected: .escapeCharacter)) }
        let c = bytes[i]
        i += 1
        switch c {
        case Byte.quote, Byte.backslash, Byte.slash: scratch.append(c)
        case Byte.b: scratch.append(0x08)
        case Byte.f: scratch.append(0x0C)
        case Byte.n: scratch.append(0x0A)
        case Byte.r: scratch.append(0x0D)
        case Byte.t: scratch.append(0x09)
        case Byte.u:
            let escapeStart = i - 2
            let unit = try readHex4()
            var scalar: UInt32
            switch unit {
            case 0xD800...0xDBFF:
                // RFC 8259 §7: a character outside the BMP is a UTF-16 surrogate pair, both escaped.
                guard i + 1 < bytes.count, bytes[i] == Byte.backslash, bytes[i + 1] == Byte.u else {
                    throw JSONParseError(offset: escapeStart, reason: .unpairedSurrogate)
                }
                i += 2
                let lowUnit = try readHex4()
                guard (0xDC00...0xDFFF).contains(lowUnit) else {
                    throw JSONParseError(offset: escapeStart, reason: .unpairedSurrogate)
                }
                scalar = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(lowUnit) - 0xDC00)
            case 0xDC00...0xDFFF:
                throw JSONParseError(offset: escapeStart, reason: .unpairedSurrogate)
            default:
                scalar = UInt32(unit)
            }
            appendUTF8(scalar)
        default:
            throw JSONParseError(offset: i - 1, reason: .unexpectedByte(c, expected: .escapeCharacter))
        }
    }

    private mutating func readHex4() throws(JSONParseError) -> UInt16 {
        var v: UInt16 = 0
        for _ in 0..<4 {
            guard i < bytes.count else { throw JSONParseError(offset: i, reason: .unexpectedEnd(expected: .hexDigit)) }
            let b = bytes[i]
            let digit: UInt8
            switch b {
            case Byte.zero...Byte.nine: digit = b - Byte.zero
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = b - UInt8(ascii: "A") + 10
            default: throw JSONParseError(offset: i, reason: .unexpectedByte(b, expected: .hexDigit))
            }
            v = v << 4 | UInt16(digit)
            i += 1
        }
        return v
    }

    private mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case 0..<0x80:
            scratch.append(UInt8(scalar))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | scalar >> 6))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | scalar >> 12))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        default:
            scratch.append(UInt8(0xF0 | scalar >> 18))
            scratch.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    // MARK: Whitespace

    /// RFC 8259 §2: space, tab, line feed, carriage return.
    private mutating func skipWhitespace() {
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x09, 0x0A, 0x0D: i += 1
            default: return
            }
        }
    }

    private mutating func expect(_ byte: UInt8, _ expected: JSONParseError.Expected) throws(JSONParseError) {
        guard i < bytes.count else { throw JSONParseError(offset: i, reason: .unexpectedEnd(expected: expected)) }
        guard bytes[i] == byte else { throw JSONParseError(offset: i, reason: .unexpectedByte(bytes[i], expected: expected)) }
        i += 1
    }
}

/// ASCII bytes the reader and writer name.
enum Byte {
    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")
    static let slash = UInt8(ascii: "/")
    static let openBrace = UInt8(ascii: "{")
    static let closeBrace = UInt8(ascii: "}")
    static let openBracket = UInt8(ascii: "[")
    static let closeBracket = UInt8(ascii: "]")
    static let colon = UInt8(ascii: ":")
    static let comma = UInt8(ascii: ",")
    static let minus = UInt8(ascii: "-")
    static let plus = UInt8(ascii: "+")
    static let dot = UInt8(ascii: ".")
    static let zero = UInt8(ascii: "0")
    static let nine = UInt8(ascii: "9")
    static let b = UInt8(ascii: "b")
    static let e = UInt8(ascii: "e")
    static let E = UInt8(ascii: "E")
    static let f = UInt8(ascii: "f")
    static let n = UInt8(ascii: "n")
    static let r = UInt8(ascii: "r")
    static let t = UInt8(ascii: "t")
    static let u = UInt8(ascii: "u")
}

/// A member name hashed and compared the way SCIM compares attribute names (ASCII
/// case-insensitively, RFC 7643 §2.1), so the hash agrees with `caseInsensitiveEquals`.
struct CaseInsensitiveKey: Hashable {
    let key: String
    init(_ key: String) { self.key = key }

    static func == (a: CaseInsensitiveKey, b: CaseInsensitiveKey) -> Bool { a.key.caseInsensitiveEquals(b.key) }

    func hash(into hasher: inout Hasher) {
        for b in key.utf8 { hasher.combine((b >= 65 && b <= 90) ? b | 0x20 : b) }
        hasher.combine(0xFF as UInt8)  // terminator: "ab"+"c" and "a"+"bc" must differ in a combined hash
    }
}
