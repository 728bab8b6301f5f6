import SCIM

/// SCIM → SQL: a SCIM value becomes what its target column takes. One function per column
/// class, each a switch naming every SCIM value kind.
extension SCIMValue {
    /// Converts the value of an attribute of data type `attributeType` for `column`, whose
    /// type is `columnType`.
    ///
    /// - Booleans take the column's spelling: `.bool` (native), `.int(0/1)` (TINYINT(1)),
    ///   `.bits(_, width: 1)` (BIT(1)), `.text("Y"/"N")` (CHAR(1)).
    /// - RFC 3339 date-times go into DATETIME and DATE columns as wall-clock time in `zone`,
    ///   and into TIMESTAMP columns in UTC.
    /// - Text longer than the column's declared length is an error rather than a truncation.
    /// - `attributeType` matters for binary columns only: SCIM `binary` is base64 text
    ///   (RFC 7643 §2.3.6) and is decoded; other strings are stored as their UTF-8 bytes.
    public func sqlValue(
        for columnType: ColumnType, attributeType: AttributeDefinition.DataType, column: String,
        zone: WallClockZone = .utc
    ) throws(ValueConversionError) -> SQLValue {
        if case .null = self { return .null }
        switch columnType {
        case .integer(let unsigned): return try sqlInteger(unsigned: unsigned, column: column)
        case .boolean(let style): return try sqlBoolean(style, column: column)
        case .decimal: return try sqlDecimal(column: column)
        case .double: return try sqlDouble(column: column)
        case .text(let maxLength): return try sqlText(maxLength: maxLength, column: column)
        case .date: return try sqlDateTime(.date, column: column, zone: zone)
        case .dateTime: return try sqlDateTime(.dateTime, column: column, zone: zone)
        case .timestamp: return try sqlDateTime(.timestamp, column: column, zone: zone)
        case .uuid: return try sqlUUID(column: column)
        case .json: return try sqlJSON(column: column)
        case .bytes: return try sqlBytes(binary: attributeType == .binary, column: column)
        case .unknown: return try sqlNatural(column: column)
        }
    }

    var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .integer: "integer"
        case .decimal: "decimal"
        case .string: "string"
        case .array: "multi-valued attribute"
        case .object: "complex attribute"
        }
    }

    private func unsupported(_ columnType: ColumnType, column: String) -> ValueConversionError {
        ValueConversionError(column: column, reason: .unsupportedSCIMValue(kind: kindName, column: columnType))
    }

    private func sqlInteger(unsigned: Bool, column: String) throws(ValueConversionError) -> SQLValue {
        let n: Int64?
        switch self {
        case .null: return .null
        case .bool(let b): n = b ? 1 : 0
        case .integer(let i): n = i
        case .decimal(let d): n = Int64(exactly: d)
        case .string(let s): n = NumberText.integer(s)
        case .array, .object: throw unsupported(.integer(unsigned: unsigned), column: column)
        }
        guard let n else { throw ValueConversionError(column: column, reason: .notInteger) }
        if unsigned && n < 0 { throw ValueConversionError(column: column, reason: .negativeForUnsigned) }
        return .int(n)
    }

    private func sqlBoolean(_ style: BooleanStyle, column: String) throws(ValueConversionError) -> SQLValue {
        let b: Bool?
        switch self {
        case .null: return .null
        case .bool(let v): b = v
        // Numbers as the reverse conversion reads them (zero false, any other whole number
        // true), so that a value means the same on both sides.
        case .integer(let i): b = i != 0
        case .decimal(let d): b = d.isFinite && d.rounded(.towardZero) == d ? d != 0 : nil
        case .string(let s): b = BooleanText.parse(s)
        case .array, .object: throw unsupported(.boolean(style), column: column)
        }
        guard let b else { throw ValueConversionError(column: column, reason: .notBoolean(kind: kindName)) }
        switch style {
        case .native: return .bool(b)
        case .tinyInt: return .int(b ? 1 : 0)
        case .bit: return .bits(b ? 1 : 0, width: 1)
        case .yesNo: return .text(b ? "Y" : "N")
        }
    }

    private func sqlDecimal(column: String) throws(ValueConversionError) -> SQLValue {
        switch self {
        case .null: return .null
        case .integer(let i): return .decimal(String(i))
        case .decimal(let d):
            guard let text = NumberText.plain(d) else {
                throw ValueConversionError(column: column, reason: .notDecimal)
            }
            return .decimal(text)
        case .string(let s):
            let trimmed = s.trimmingASCIISpaces()
            guard NumberText.isDecimal(trimmed) else { throw ValueConversionError(column: column, reason: .notDecimal) }
            return .decimal(trimmed)
        case .bool, .array, .object: throw unsupported(.decimal, column: column)
        }
    }

    private func sqlDouble(column: String) throws(ValueConversionError) -> SQLValue {
        switch self {
        case .null: return .null
        case .integer(let i): return .double(Double(i))
        case .decimal(let d): return .double(d)
        case .string(let s):
            let trimmed = s.trimmingASCIISpaces()
            guard NumberText.isDecimal(trimmed), let d = Double(trimmed) else {
                throw ValueConversionError(column: column, reason: .notDecimal)
            }
            return .double(d)
        case .bool, .array, .object: throw unsupported(.double, column: column)
        }
    }

    private func sqlText(maxLength: Int?, column: String) throws(ValueConversionError) -> SQLValue {
        let text: String
        switch self {
        case .null: return .null
        case .bool(let b): text = b ? "true" : "false"
        case .integer(let i): text = String(i)
        case .decimal(let d):
            guard let plain = NumberText.plain(d) else {
                throw ValueConversionError(column: column, reason: .notDecimal)
            }
            text = plain
        case .string(let s): text = s
        case .array, .object: throw unsupported(.text(maxLength: maxLength), column: column)
        }
        // MySQL (utf8mb4) and PostgreSQL count a column's length in code points. A text has at
        // most as many code points as UTF-8 bytes, and a native string knows its byte count:
        // only a text with more bytes than the limit needs its code points counted.
        if let maxLength, text.utf8.count > maxLength {
            let length = text.unicodeScalars.count
            if length > maxLength {
                throw ValueConversionError(column: column, reason: .tooLong(length: length, maxLength: maxLength))
            }
        }
        return .text(text)
    }

    private enum DateColumn {
        case date, dateTime, timestamp
    }

    private func sqlDateTime(
        _ columnKind: DateColumn, column: String, zone: WallClockZone
    ) throws(ValueConversionError) -> SQLValue {
        let parsed: DateTimeText?
        switch self {
        case .null: return .null
        case .string(let s): parsed = DateTimeText(s.trimmingASCIISpaces())
        case .bool, .integer, .decimal, .array, .object:
            let columnType: ColumnType
            switch columnKind {
            case .date: columnType = .date
            case .dateTime: columnType = .dateTime
            case .timestamp: columnType = .timestamp
            }
            throw unsupported(columnType, column: column)
        }
        // The instant the text names; text without an offset is a wall clock in `zone`.
        let instant: Instant
        switch parsed {
        case .instant(let i): instant = i
        case .wallClock(let clock) where !clock.date.isZeroDate: instant = clock.instant(in: zone)
        case .date(let date) where !date.isZeroDate:
            instant = SQLDateTime(date: date, hour: 0, minute: 0, second: 0).instant(in: zone)
        case .wallClock, .date, nil: throw ValueConversionError(column: column, reason: .notDateTime)
        }
        switch columnKind {
        case .date:
            // A date alone stays that date, whatever the zone.
            if case .date(let date) = parsed { return .date(date) }
            return .date(SQLDateTime(instant, in: zone).date)
        case .timestamp: return .timestamp(SQLDateTime(instant, in: .utc))
        case .dateTime: return .dateTime(SQLDateTime(instant, in: zone))
        }
    }

    private func sqlUUID(column: String) throws(ValueConversionError) -> SQLValue {
        switch self {
        case .null: return .null
        case .string(let s):
            guard isUUID(s) else { throw ValueConversionError(column: column, reason: .notUUID) }
            return .text(s)
        case .bool, .integer, .decimal, .array, .object: throw unsupported(.uuid, column: column)
        }
    }

    /// A JSON column holds the attribute's JSON text: a string attribute is taken to hold a
    /// JSON document already (the reverse of reading a JSON column into a string attribute),
    /// numbers and booleans are their JSON literals. Complex values wait for the SCIM module's
    /// JSON encoder.
    private func sqlJSON(column: String) throws(ValueConversionError) -> SQLValue {
        switch self {
        case .null: return .null
        case .bool(let b): return .json(b ? "true" : "false")
        case .integer(let i): return .json(String(i))
        case .decimal(let d):
            guard let plain = NumberText.plain(d) else {
                throw ValueConversionError(column: column, reason: .notDecimal)
            }
            return .json(plain)
        case .string(let s): return .json(s)
        case .array, .object: throw unsupported(.json, column: column)
        }
    }

    private func sqlBytes(binary: Bool, column: String) throws(ValueConversionError) -> SQLValue {
        switch self {
        case .null: return .null
        case .string(let s):
            guard binary else { return .bytes(Array(s.utf8)) }
            guard let bytes = Base64.decode(s) else { throw ValueConversionError(column: column, reason: .notBase64) }
            return .bytes(bytes)
        case .bool, .integer, .decimal, .array, .object: throw unsupported(.bytes, column: column)
        }
    }

    /// For columns of unknown type: the value's natural SQL form, for the database to convert.
    private func sqlNatural(column: String) throws(ValueConversionError) -> SQLValue {
        switch self {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .integer(let i): return .int(i)
        case .decimal(let d): return .double(d)
        case .string(let s): return .text(s)
        case .array, .object: throw unsupported(.unknown("unknown"), column: column)
        }
    }
}

/// `8-4-4-4-12` hexadecimal digits (RFC 9562 §4), either case.
func isUUID(_ text: String) -> Bool {
    let bytes = Array(text.utf8)
    guard bytes.count == 36 else { return false }
    for (i, b) in bytes.enumerated() {
        if i == 8 || i == 13 || i == 18 || i == 23 {
            guard b == UInt8(ascii: "-") else { return false }
        } else {
            let isHex = (b >= 48 && b <= 57) || (b >= 65 && b <= 70) || (b >= 97 && b <= 102)
            guard isHex else { return false }
        }
    }
    return true
}
