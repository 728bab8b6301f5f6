/// How the bytes of a character column become text, from its collation id (TABLE_MAP
/// optional metadata `DEFAULT_CHARSET`/`COLUMN_CHARSET`).
public enum TextEncoding: Sendable, Hashable {
    /// utf8mb4, utf8mb3 and ascii: the bytes are UTF-8 already.
    case utf8
    /// MySQL's latin1, which is Windows-1252 (`ctype-latin1.cc`), converted to UTF-8.
    case latin1
    /// The `binary` character set (collation 63): BINARY, VARBINARY, BLOB; the value is bytes.
    case binary
    /// No charset metadata reached us (`binlog_row_metadata=MINIMAL`): the value is kept as
    /// bytes until someone who knows the column (information_schema) says otherwise.
    case unspecified
    /// A character set this decoder does not convert (e.g. utf16, gbk); kept as bytes.
    case other(collationID: Int)

    /// The encoding of a collation id, from MariaDB 10.11's and MySQL 8's
    /// `information_schema.COLLATIONS`.
    public init(collationID id: Int) {
        switch id {
        case 63:
            self = .binary
        case 5, 8, 15, 31, 47, 48, 49, 94, 1032, 1071:
            self = .latin1
        case 11, 65, 1035, 1089,  // ascii
            33, 76, 83, 192...215, 223, 576...578, 1057, 1107, 1216, 1238,  // utf8mb3
            45, 46, 224...247, 255...323, 608...610, 1069, 1070, 1248, 1270:  // utf8mb4
            self = .utf8
        case 2048...2559:
            // MariaDB 10.10+ numbers its UCA 14.0.0 collations by character set:
            // 2048–2303 utf8mb3, 2304–2559 utf8mb4 (2560 and up are ucs2, utf16, utf32).
            self = .utf8
        default:
            self = .other(collationID: id)
        }
    }
}

/// MySQL's latin1 is Windows-1252 with the five bytes cp1252 leaves undefined mapped to the C1
/// controls of the same value (`ctype-latin1.cc`, `cs_to_uni`). Only 0x80–0x9F differ from
/// ISO-8859-1.
let latin1HighControls: [UInt16] = [
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
]

/// Text from MySQL latin1 bytes.
func decodeLatin1(_ bytes: UnsafeRawBufferPointer) -> String {
    var ascii = true
    for byte in bytes where byte >= 0x80 {
        ascii = false
        break
    }
    if ascii {
        return String(decoding: bytes, as: UTF8.self)
    }
    var scalars = String.UnicodeScalarView()
    for byte in bytes {
        let code: UInt32 = (0x80...0x9F).contains(byte) ? UInt32(latin1HighControls[Int(byte) - 0x80]) : UInt32(byte)
        scalars.append(Unicode.Scalar(code)!)
    }
    return String(scalars)
}
