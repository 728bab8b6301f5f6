/// The character encodings a separated-values file may be written in.
///
/// Exports from older HR systems are often ISO-8859-1 or Windows-1252 rather than UTF-8, and
/// spreadsheet programs save "Unicode text" as UTF-16 with a byte-order mark.
public enum FeedCharset: String, Sendable, Hashable, CaseIterable {
    case utf8 = "utf-8"
    case iso8859_1 = "iso-8859-1"
    case windows1252 = "windows-1252"
    /// UTF-16 whose first two bytes are a byte-order mark (FE FF or FF FE), which says the
    /// byte order; a file without one is refused rather than guessed at.
    case utf16 = "utf-16"

    /// The names a control file may use, lowercased, for each charset.
    static let aliases: [String: FeedCharset] = [
        "utf-8": .utf8, "utf8": .utf8,
        "iso-8859-1": .iso8859_1, "iso8859-1": .iso8859_1, "latin1": .iso8859_1, "latin-1": .iso8859_1,
        "windows-1252": .windows1252, "cp1252": .windows1252,
        "utf-16": .utf16, "utf16": .utf16,
    ]

    /// The charset a control file names, ignoring case.
    public init?(name: String) {
        guard let charset = Self.aliases[name.lowercased()] else { return nil }
        self = charset
    }

    /// Code units of one character cell: 2 for UTF-16, else 1.
    var unitSize: Int { self == .utf16 ? 2 : 1 }
}

/// Text that is not valid in the file's charset.
struct InvalidEncoding: Error, Sendable, Hashable {
    /// Where in the line (0-based byte offset) the first bad byte is.
    var offset: Int
    var charset: FeedCharset
}

extension FeedCharset {
    /// Windows-1252's characters for 0x80…0x9F (where ISO-8859-1 has C1 controls); nil for
    /// the five bytes the code page leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D).
    private static let windows1252High: [Unicode.Scalar?] = [
        "\u{20AC}", nil, "\u{201A}", "\u{0192}", "\u{201E}", "\u{2026}", "\u{2020}", "\u{2021}",
        "\u{02C6}", "\u{2030}", "\u{0160}", "\u{2039}", "\u{0152}", nil, "\u{017D}", nil,
        nil, "\u{2018}", "\u{2019}", "\u{201C}", "\u{201D}", "\u{2022}", "\u{2013}", "\u{2014}",
        "\u{02DC}", "\u{2122}", "\u{0161}", "\u{203A}", "\u{0153}", nil, "\u{017E}", "\u{0178}",
    ]

    /// Decodes the bytes of one line (without its line break) in this charset. For UTF-16 the
    /// byte order is `bigEndian`; a line of an odd number of bytes is invalid.
    func decode(_ bytes: ArraySlice<UInt8>, bigEndian: Bool = false) throws(InvalidEncoding) -> String {
        switch self {
        case .utf8:
            // The standard library validates and copies in one pass; only a file with an
            // invalid sequence takes the scalar-by-scalar walk below, to name its offset.
            if let text = String(validating: bytes, as: UTF8.self) { return text }
            var text = ""
            var decoder = UTF8()
            var iterator = bytes.makeIterator()
            var offset = 0
            var scalars = String.UnicodeScalarView()
            loop: while true {
                switch decoder.decode(&iterator) {
                case .scalarValue(let scalar):
                    scalars.append(scalar)
                    offset += UTF8.width(scalar)
                case .emptyInput:
                    break loop
                case .error:
                    throw InvalidEncoding(offset: offset, charset: self)
                }
            }
            text.unicodeScalars = scalars
            return text
        case .iso8859_1:
            // Every byte is the code point of the same number (ISO-8859-1 is Unicode's first 256).
            var scalars = String.UnicodeScalarView()
            for byte in bytes { scalars.append(Unicode.Scalar(byte)) }
            return String(scalars)
        case .windows1252:
            var scalars = String.UnicodeScalarView()
            for (offset, byte) in bytes.enumerated() {
                if (0x80...0x9F).contains(byte) {
                    guard let scalar = Self.windows1252High[Int(byte - 0x80)] else {
                        throw InvalidEncoding(offset: offset, charset: self)
                    }
                    scalars.append(scalar)
                } else {
                    scalars.append(Unicode.Scalar(byte))
                }
            }
            return String(scalars)
        case .utf16:
            guard bytes.count % 2 == 0 else { throw InvalidEncoding(offset: bytes.count - 1, charset: self) }
            var units: [UInt16] = []
            units.reserveCapacity(bytes.count / 2)
            var index = bytes.startIndex
            while index < bytes.endIndex {
                let first = UInt16(bytes[index])
                let second = UInt16(bytes[index + 1])
                units.append(bigEndian ? first << 8 | second : second << 8 | first)
                index += 2
            }
            var decoder = UTF16()
            var iterator = units.makeIterator()
            var scalars = String.UnicodeScalarView()
            var offset = 0
            loop: while true {
                switch decoder.decode(&iterator) {
                case .scalarValue(let scalar):
                    scalars.append(scalar)
                    offset += UTF16.width(scalar) * 2
                case .emptyInput:
                    break loop
                case .error:
                    throw InvalidEncoding(offset: offset, charset: self)
                }
            }
            return String(scalars)
        }
    }
}
