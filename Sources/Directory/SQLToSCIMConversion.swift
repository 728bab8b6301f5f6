import SCIM

/// SQL → SCIM: a column value becomes the SCIM value its attribute's data type calls for
/// (RFC 7643 §2.3). One function per SCIM data type, each a switch naming every SQL value
/// kind, so a new ``SQLValue`` case cannot slip through unconverted.
extension SQLValue {
    /// Converts the value of `column` to SCIM data type `type`.
    ///
    /// - Wall-clock values (DATE, DATETIME, and date-time text without an offset) are read in
    ///   `zone`; TIMESTAMP values are UTC. Date-times come out as RFC 3339 in UTC.
    /// - MySQL zero dates (`0000-00-00`, or a zero month or day) become ``SCIMValue/null``.
    /// - `NULL` is ``SCIMValue/null`` for every type.
    public func scimValue(
        as type: AttributeDefinition.DataType, column: String, zone: WallClockZone = .utc
    ) throws(ValueConversionError) -> SCIMValue {
        switch type {
        case .string, .reference: return try scimString(column: column, zone: zone)
        case .boolean: return try scimBoolean(column: column)
        case .integer: return try scimInteger(column: column)
        case .decimal: return try scimDecimal(column: column)
        case .dateTime: return try scimDateTime(column: column, zone: zone)
        case .binary: return try scimBinary(column: column)
        case .complex: return try unsupported(.complex, column: column)
        }
    }

    /// The name of the value's kind, for messages (never the value itself).
    var kindName: String {
        switch self {
        case .null: "NULL"
        case .bool: "boolean"
        case .int, .uint: "integer"
        case .double: "floating-point"
        case .decimal: "decimal"
        case .text: "text"
        case .bytes: "binary"
        case .bits: "bit"
        case .date: "date"
        case .time: "time"
        case .dateTime: "date-time"
        case .timestamp: "timestamp"
        case .json: "JSON"
        }
    }

    private func unsupported(
        _ type: AttributeDefinition.DataType, column: String
    ) throws(ValueConversionError) -> SCIMValue {
        if case .null = self { return .null }
        throw ValueConversionError(column: column, reason: .unsupportedSQLValue(kind: kindName, scimType: type))
    }

    private func scimString(column: String, zone: WallClockZone) throws(ValueConversionError) -> SCIMValue {
        switch self {
        case .null: return .null
        case .bool(let b): return .string(b ? "true" : "false")
        case .int(let n): return .string(String(n))
        case .uint(let n): return .string(String(n))
        case .double(let d):
            guard let text = NumberText.plain(d) else {
                throw ValueConversionError(column: column, reason: .notDecimal)
            }
            return .string(text)
        case .decimal(let text), .text(let text), .json(let text): return .string(text)
        case .bytes(let bytes):
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw ValueConversionError(column: column, reason: .notUTF8)
            }
            return .string(text)
        case .bits(let bits, _): return .string(String(bits))
        case .date(let date): return date.isZeroDate ? .null : .string(date.text)
        case .time(let time): return .string(time.text)
        case .dateTime(let clock): return clock.date.isZeroDate ? .null : .string(clock.sqlText)
        case .timestamp: return try scimDateTime(column: column, zone: zone)
        }
    }

    /// Numbers read as MySQL reads them in a boolean context (MySQL 8.4 manual §13.1.1, of
    /// BOOL/BOOLEAN = TINYINT(1): "A value of zero is considered false. Nonzero values are
    /// considered true."), which is also PostgreSQL's integer-to-boolean cast and SQLite's
    /// truth: a TINYINT(1) holding 7 or -1 is true. Only whole numbers count; a fraction
    /// (0.5) or text that spells no boolean (`maybe`) is an error, not a guess.
    private func scimBoolean(column: String) throws(ValueConversionError) -> SCIMValue {
        let result: Bool?
        switch self {
        case .null: return .null
        case .bool(let b): result = b
        case .int(let n): result = n != 0
        case .uint(let n): result = n != 0
        case .bits(let bits, _): result = bits != 0
        case .double(let d): result = d.isFinite && d.rounded(.towardZero) == d ? d != 0 : nil
        case .decimal(let text): result = NumberText.wholeNumberIsNonZero(text)
        case .text(let text): result = BooleanText.parse(text)
        case .bytes(let bytes):
            // A one-byte 0x00/0x01 (BIT read as binary), else text such as "Y".
            if bytes == [0] {
                result = false
            } else if bytes == [1] {
                result = true
            } else {
                result = String(validating: bytes, as: UTF8.self).flatMap(BooleanText.parse)
            }
        case .date, .time, .dateTime, .timestamp, .json: return try unsupported(.boolean, column: column)
        }
        guard let result else { throw ValueConversionError(column: column, reason: .notBoolean(kind: kindName)) }
        return .bool(result)
    }

    private func scimInteger(column: String) throws(ValueConversionError) -> SCIMValue {
        let result: Int64?
        switch self {
        case .null: return .null
        case .bool(let b): result = b ? 1 : 0
        case .int(let n): result = n
        case .uint(let n): result = Int64(exactly: n)
        case .bits(let bits, _): result = Int64(exactly: bits)
        case .double(let d): result = Int64(exactly: d)
        case .decimal(let text), .text(let text): result = NumberText.integer(text)
        case .bytes, .date, .time, .dateTime, .timestamp, .json: return try unsupported(.integer, column: column)
        }
        guard let result else { throw ValueConversionError(column: column, reason: .notInteger) }
        return .integer(result)
    }

    private func scimDecimal(column: String) throws(ValueConversionError) -> SCIMValue {
        let result: Double?
        switch self {
        case .null: return .null
        case .int(let n): result = Double(n)
        case .uint(let n): result = Double(n)
        case .double(let d): result = d
        case .decimal(let text), .text(let text):
            let trimmed = text.trimmingASCIISpaces()
            result = NumberText.isDecimal(trimmed) ? Double(trimmed) : nil
        case .bool, .bits, .bytes, .date, .time, .dateTime, .timestamp, .json:
            return try unsupported(.decimal, column: column)
        }
        guard let result, result.isFinite else { throw ValueConversionError(column: column, reason: .notDecimal) }
        return .decimal(result)
    }

    private func scimDateTime(column: String, zone: WallClockZone) throws(ValueConversionError) -> SCIMValue {
        let instant: Instant
        switch self {
        case .null: return .null
        case .date(let date):
            guard !date.isZeroDate else { return .null }
            guard date.isValid else { throw ValueConversionError(column: column, reason: .notDateTime) }
            instant = SQLDateTime(date: date, hour: 0, minute: 0, second: 0).instant(in: zone)
        case .dateTime(let clock):
            guard !clock.date.isZeroDate else { return .null }
            guard clock.isValid else { throw ValueConversionError(column: column, reason: .notDateTime) }
            instant = clock.instant(in: zone)
        case .timestamp(let clock):
            guard !clock.date.isZeroDate else { return .null }
            guard clock.isValid else { throw ValueConversionError(column: column, reason: .notDateTime) }
            instant = clock.instant(in: .utc)
        case .text(let text):
            switch DateTimeText(text.trimmingASCIISpaces()) {
            case .instant(let i): instant = i
            case .wallClock(let clock):
                guard !clock.date.isZeroDate else { return .null }
                instant = clock.instant(in: zone)
            case .date(let date):
                guard !date.isZeroDate else { return .null }
                instant = SQLDateTime(date: date, hour: 0, minute: 0, second: 0).instant(in: zone)
            case nil: throw ValueConversionError(column: column, reason: .notDateTime)
            }
        case .bool, .int, .uint, .double, .decimal, .bytes, .bits, .time, .json:
            return try unsupported(.dateTime, column: column)
        }
        return .string(instant.rfc3339)
    }

    private func scimBinary(column: String) throws(ValueConversionError) -> SCIMValue {
        switch self {
        case .null: return .null
        case .bytes(let bytes): return .string(Base64.encode(bytes))
        // A text column holding binary attributes holds their base64 text already, which is
        // also what the reverse conversion writes into one.
        case .text(let text): return .string(text)
        case .bool, .int, .uint, .double, .decimal, .bits, .date, .time, .dateTime, .timestamp, .json:
            return try unsupported(.binary, column: column)
        }
    }
}

/// The text spellings of booleans found in directory tables, compared without case and
/// ignoring the blanks that CHAR columns pad with.
enum BooleanText {
    static let spellings: [String: Bool] = [
        "true": true, "false": false,
        "t": true, "f": false,
        "y": true, "n": false,
        "1": true, "0": false,
    ]

    static func parse(_ text: String) -> Bool? {
        spellings[text.trimmingASCIISpaces().lowercased()]
    }
}

extension SQLTime {
    /// `[-]HH:MM:SS[.f]`, as MySQL prints TIME.
    var text: String { TemporalText.time(self) }
}
