import CMariaDB
import Directory

/// How one result column of a prepared statement is received and turned into a `SQLValue`,
/// decided once from its MYSQL_FIELD metadata.
struct MariaDBColumn {
    enum Kind: Equatable {
        case null
        /// Every integer type (TINY ... LONGLONG, YEAR) is received as a 64-bit integer:
        /// Connector/C widens with the field's own signedness.
        case integer(unsigned: Bool)
        case float
        case double
        case decimal
        case text
        case bytes
        case json
        case bits(width: Int)
        case date
        case time
        case dateTime
        case timestamp
    }

    /// The binary character set's collation id (`binary`): a string column with it holds
    /// bytes, not text (MariaDB docs, "Binary protocol": charsetnr 63).
    static let binaryCharset: UInt32 = 63

    let name: String
    let kind: Kind

    init(field: MYSQL_FIELD) {
        name = field.name.map { String(cString: $0) } ?? ""
        kind = Self.kind(of: field)
    }

    private static func kind(of field: MYSQL_FIELD) -> Kind {
        let unsigned = field.flags & UInt32(UNSIGNED_FLAG) != 0
        // enum_field_types is imported as a struct, not a Swift enum: a switch over it cannot be
        // exhaustive, hence the `default` for the string and blob family at the end.
        switch field.type {
        case MYSQL_TYPE_NULL:
            return .null
        case MYSQL_TYPE_TINY, MYSQL_TYPE_SHORT, MYSQL_TYPE_INT24, MYSQL_TYPE_LONG, MYSQL_TYPE_LONGLONG:
            return .integer(unsigned: unsigned)
        case MYSQL_TYPE_YEAR:
            // YEAR is flagged UNSIGNED ZEROFILL, but a year is just a number.
            return .integer(unsigned: false)
        case MYSQL_TYPE_FLOAT:
            return .float
        case MYSQL_TYPE_DOUBLE:
            return .double
        case MYSQL_TYPE_DECIMAL, MYSQL_TYPE_NEWDECIMAL:
            return .decimal
        case MYSQL_TYPE_BIT:
            return .bits(width: Int(field.length))
        case MYSQL_TYPE_DATE, MYSQL_TYPE_NEWDATE:
            return .date
        case MYSQL_TYPE_TIME, MYSQL_TYPE_TIME2:
            return .time
        case MYSQL_TYPE_DATETIME, MYSQL_TYPE_DATETIME2:
            return .dateTime
        case MYSQL_TYPE_TIMESTAMP, MYSQL_TYPE_TIMESTAMP2:
            return .timestamp
        case MYSQL_TYPE_JSON:
            // MySQL's native JSON type; it is sent with the binary character set.
            return .json
        default:
            // MariaDB's JSON is LONGTEXT with a JSON_VALID check; since 10.5 the server marks it
            // with the extended metadata format name "json" (MDEV-17832).
            if isJSONFormat(field) {
                return .json
            }
            return field.charsetnr == binaryCharset ? .bytes : .text
        }
    }

    private static func isJSONFormat(_ field: MYSQL_FIELD) -> Bool {
        var attribute = MARIADB_CONST_STRING()
        let found = withUnsafePointer(to: field) { fieldPointer in
            mariadb_field_attr(&attribute, fieldPointer, MARIADB_FIELD_ATTR_FORMAT_NAME) == 0
        }
        guard found, let text = attribute.str, attribute.length > 0 else { return false }
        let name = String(decoding: UnsafeRawBufferPointer(start: text, count: Int(attribute.length)), as: UTF8.self)
        return name.lowercased() == "json"
    }

    /// Variable-length columns are bound without a buffer and read per row with
    /// mysql_stmt_fetch_column once their length is known.
    var isVariableLength: Bool {
        switch kind {
        case .decimal, .text, .bytes, .json, .bits: true
        case .null, .integer, .float, .double, .date, .time, .dateTime, .timestamp: false
        }
    }

    /// The value of a variable-length column that arrives as text (decimal, text, JSON), from
    /// its UTF-8 (invalid bytes repaired, as `value(fromBytes:)` decodes them); nil for the
    /// other kinds, which `value(fromBytes:)` reads.
    func value(fromText text: () throws -> String) rethrows -> SQLValue? {
        switch kind {
        case .decimal: .decimal(try text())
        case .text: .text(try text())
        case .json: .json(try text())
        case .null, .integer, .float, .double, .date, .time, .dateTime, .timestamp, .bytes, .bits: nil
        }
    }

    /// Sets the buffer type and, for fixed-size kinds, a buffer in `bind`.
    func prepareFixedBuffer(_ bind: inout MYSQL_BIND, storage: BindStorage) {
        switch kind {
        case .null:
            bind.buffer_type = MYSQL_TYPE_NULL
        case .integer(let unsigned):
            bind.buffer_type = MYSQL_TYPE_LONGLONG
            bind.is_unsigned = unsigned ? 1 : 0
            bind.buffer = UnsafeMutableRawPointer(storage.allocate(UInt64.self))
            bind.buffer_length = UInt(MemoryLayout<UInt64>.size)
        case .float:
            bind.buffer_type = MYSQL_TYPE_FLOAT
            bind.buffer = UnsafeMutableRawPointer(storage.allocate(Float.self))
            bind.buffer_length = UInt(MemoryLayout<Float>.size)
        case .double:
            bind.buffer_type = MYSQL_TYPE_DOUBLE
            bind.buffer = UnsafeMutableRawPointer(storage.allocate(Double.self))
            bind.buffer_length = UInt(MemoryLayout<Double>.size)
        case .date, .time, .dateTime, .timestamp:
            bind.buffer_type = temporalBufferType
            bind.buffer = UnsafeMutableRawPointer(storage.allocate(MYSQL_TIME.self))
            bind.buffer_length = UInt(MemoryLayout<MYSQL_TIME>.size)
        case .decimal, .text, .json:
            bind.buffer_type = MYSQL_TYPE_STRING
        case .bytes, .bits:
            bind.buffer_type = MYSQL_TYPE_BLOB
        }
    }

    private var temporalBufferType: enum_field_types {
        switch kind {
        case .date: MYSQL_TYPE_DATE
        case .time: MYSQL_TYPE_TIME
        case .timestamp: MYSQL_TYPE_TIMESTAMP
        case .dateTime, .null, .integer, .float, .double, .decimal, .text, .bytes, .json, .bits:
            MYSQL_TYPE_DATETIME
        }
    }

    /// The value of a fixed-size kind from the buffer `prepareFixedBuffer` set up.
    func value(fromFixedBuffer buffer: UnsafeMutableRawPointer?) -> SQLValue {
        guard let buffer else { return .null }
        switch kind {
        case .null:
            return .null
        case .integer(let unsigned):
            let raw = buffer.load(as: UInt64.self)
            return unsigned ? .uint(raw) : .int(Int64(bitPattern: raw))
        case .float:
            // A FLOAT holds a 32-bit value; widening it directly turns 3.14 into
            // 3.140000104904175. Going through its shortest decimal form gives the double a
            // reader of the table expects, as the text protocol would.
            let float = buffer.load(as: Float.self)
            return .double(Double("\(float)") ?? Double(float))
        case .double:
            return .double(buffer.load(as: Double.self))
        case .date, .time, .dateTime, .timestamp:
            return temporalValue(buffer.load(as: MYSQL_TIME.self))
        case .decimal, .text, .bytes, .json, .bits:
            return .null
        }
    }

    /// The value of a variable-length kind from its bytes.
    func value(fromBytes bytes: [UInt8]) -> SQLValue {
        switch kind {
        case .decimal:
            return .decimal(String(decoding: bytes, as: UTF8.self))
        case .text:
            return .text(String(decoding: bytes, as: UTF8.self))
        case .json:
            return .json(String(decoding: bytes, as: UTF8.self))
        case .bytes:
            return .bytes(bytes)
        case .bits(let width):
            // BIT(n) arrives as ceil(n/8) bytes, most significant first.
            return .bits(bytes.reduce(0) { $0 << 8 | UInt64($1) }, width: width)
        case .null, .integer, .float, .double, .date, .time, .dateTime, .timestamp:
            return .null
        }
    }

    private func temporalValue(_ time: MYSQL_TIME) -> SQLValue {
        let date = SQLDate(year: Int(time.year), month: Int(time.month), day: Int(time.day))
        switch kind {
        case .date:
            return .date(date)
        case .time:
            // The binary protocol carries TIME as days + hours; Connector/C folds the days into
            // hours, but a non-zero `day` is honoured in case another client library does not.
            return .time(SQLTime(
                negative: time.neg != 0, hours: Int(time.day) * 24 + Int(time.hour),
                minutes: Int(time.minute), seconds: Int(time.second), microseconds: Int(time.second_part)
            ))
        case .dateTime, .timestamp:
            let dateTime = SQLDateTime(
                date: date, hour: Int(time.hour), minute: Int(time.minute), second: Int(time.second),
                microsecond: Int(time.second_part)
            )
            return kind == .timestamp ? .timestamp(dateTime) : .dateTime(dateTime)
        case .null, .integer, .float, .double, .decimal, .text, .bytes, .json, .bits:
            return .null
        }
    }
}
