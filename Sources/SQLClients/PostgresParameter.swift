import Directory

/// Type OIDs of the built-in PostgreSQL types this module reads and writes
/// (src/include/catalog/pg_type.dat; stable across versions).
enum PostgresType {
    static let unknown: UInt32 = 0
    static let bool: UInt32 = 16
    static let bytea: UInt32 = 17
    static let char: UInt32 = 18
    static let name: UInt32 = 19
    static let int8: UInt32 = 20
    static let int2: UInt32 = 21
    static let int4: UInt32 = 23
    static let text: UInt32 = 25
    static let oid: UInt32 = 26
    static let json: UInt32 = 114
    static let float4: UInt32 = 700
    static let float8: UInt32 = 701
    static let bpchar: UInt32 = 1042
    static let varchar: UInt32 = 1043
    static let date: UInt32 = 1082
    static let time: UInt32 = 1083
    static let timestamp: UInt32 = 1114
    static let timestamptz: UInt32 = 1184
    static let bit: UInt32 = 1560
    static let varbit: UInt32 = 1562
    static let numeric: UInt32 = 1700
    static let uuid: UInt32 = 2950
    static let jsonb: UInt32 = 3802
}

/// One statement parameter in libpq's text format with the type it is sent as.
///
/// `unknown` (0) lets the server type the value from where it appears, exactly like a quoted
/// literal: that is what text needs (it may go into a varchar, uuid, enum or jsonb column).
/// Values whose text would be misread that way carry their type.
struct PostgresParameter {
    var type: UInt32
    /// Nil for SQL NULL.
    var text: String?

    init(_ value: SQLValue) {
        switch value {
        case .null:
            self.init(type: PostgresType.unknown, text: nil)
        case .bool(let flag):
            self.init(type: PostgresType.bool, text: flag ? "t" : "f")
        case .int(let number):
            self.init(type: PostgresType.int8, text: String(number))
        case .uint(let number):
            self.init(type: number <= UInt64(Int64.max) ? PostgresType.int8 : PostgresType.numeric, text: String(number))
        case .double(let number):
            self.init(type: PostgresType.float8, text: Self.text(number))
        case .decimal(let text):
            self.init(type: PostgresType.numeric, text: text)
        case .text(let text), .json(let text):
            self.init(type: PostgresType.unknown, text: text)
        case .bytes(let bytes):
            // Hex format (PostgreSQL docs, "bytea Hex Format").
            self.init(type: PostgresType.bytea, text: "\\x" + Self.hex(bytes))
        case .bits(let number, let width):
            // A bit-string literal, most significant bit first, as bit(n) and varbit read it.
            let digits = (0..<max(width, 0)).reversed().map { number >> UInt64($0) & 1 == 1 ? "1" : "0" }
            self.init(type: PostgresType.unknown, text: digits.joined())
        case .date(let date):
            self.init(type: PostgresType.date, text: TemporalText.date(date))
        case .time(let time):
            // Untyped: a negative or 24-hour-plus MySQL TIME only fits an interval column.
            self.init(type: PostgresType.unknown, text: TemporalText.time(time, fraction: .microseconds))
        case .dateTime(let value):
            self.init(type: PostgresType.timestamp, text: TemporalText.dateTime(value, fraction: .microseconds))
        case .timestamp(let value):
            self.init(type: PostgresType.timestamptz, text: TemporalText.dateTime(value, fraction: .microseconds) + "+00")
        }
    }

    private init(type: UInt32, text: String?) {
        self.type = type
        self.text = text
    }

    /// float8 input accepts "Infinity", "-Infinity" and "NaN" (PostgreSQL docs, "Floating-Point
    /// Types"), not Swift's "inf" and "nan".
    private static func text(_ number: Double) -> String {
        if number.isNaN { return "NaN" }
        if number.isInfinite { return number < 0 ? "-Infinity" : "Infinity" }
        return "\(number)"
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
