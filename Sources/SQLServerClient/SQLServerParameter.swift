import Directory

/// One value as an RPC parameter of sp_executesql: the type it is declared with in the parameter
/// list and the value db-lib sends.
///
/// Every value travels typed, never as SQL text. Text goes as NVARCHAR(MAX) and bytes as
/// VARBINARY(MAX): db-lib sends a parameter of type SYBNTEXT or SYBIMAGE on TDS 7.2 and later
/// as "XSYBNVARCHAR"/"XSYBVARBINARY" with the (max) length marker, in chunks
/// (src/tds/data.c, tds_set_param_type: "case SYBNTEXT: if (IS_TDS72_PLUS(conn))
/// curcol->column_varint_size = 8"), converted from the client charset to UTF-16LE. SYBVARCHAR,
/// which dbrpcparam turns into NVARCHAR only up to 4000 bytes, and XSYBNVARCHAR, whose length
/// FreeTDS cuts at 8000 bytes (tds_fix_column_size), would both lose long values.
struct SQLServerParameter: Hashable {
    /// What db-lib is given, and as which type (sybdb.h `SYB...`).
    enum Wire: Hashable {
        /// SQL NULL; sent as a NULL NVARCHAR(MAX). A `SQLValue.null` has no type of its own,
        /// and nvarchar is the type SQL Server converts implicitly to the most others (all but
        /// the binary types: "Data type conversion", CAST and CONVERT, Transact-SQL).
        case null
        case bit(Bool)
        case bigint(Int64)
        case float(Double)
        /// A DBDECIMAL's bytes (precision, scale, sign and magnitude: `SQLServerDecimal`).
        case decimal([UInt8])
        /// UTF-8 text, converted to UTF-16LE by FreeTDS.
        case text([UInt8])
        case bytes([UInt8])
        /// DATETIME2(7): days since 1900-01-01 (DBDATETIMEALL.date) and 100-nanosecond units
        /// since midnight (DBDATETIMEALL.time).
        case dateTime(days: Int32, ticks: UInt64)
    }

    /// The type in sp_executesql's parameter list, e.g. `bigint`, `nvarchar(max)`.
    var declaredType: String
    var wire: Wire

    /// The statement that gives the parameter its value inside the batch when db-lib cannot
    /// send it: dbrpcparam takes a data length of 0 as NULL ("If datalen = 0, ... This is one
    /// way to specify a NULL input parameter", src/dblib/rpc.c), so an empty string or an empty
    /// byte string is sent as NULL and set here from a constant. No value of the caller's is
    /// ever part of the text.
    func presetStatement(name: String) -> String? {
        switch wire {
        case .text(let bytes) where bytes.isEmpty: "SET \(name) = N'';"
        case .bytes(let bytes) where bytes.isEmpty: "SET \(name) = 0x;"
        default: nil
        }
    }

    /// - Throws: `SQLServerError` with kind `.unsupportedValue` for values SQL Server has no
    ///   type for: a TIME below zero or from 24 hours on, a date outside 0001–9999, a decimal
    ///   with more than 38 digits.
    init(_ value: SQLValue) throws {
        switch value {
        case .null:
            self.init(declaredType: "nvarchar(max)", wire: .null)
        case .bool(let flag):
            self.init(declaredType: "bit", wire: .bit(flag))
        case .int(let number):
            self.init(declaredType: "bigint", wire: .bigint(number))
        case .uint(let number):
            if let signed = Int64(exactly: number) {
                self.init(declaredType: "bigint", wire: .bigint(signed))
            } else {
                try self.init(decimalText: String(number))
            }
        case .double(let number):
            self.init(declaredType: "float", wire: .float(number))
        case .decimal(let text):
            try self.init(decimalText: text)
        case .text(let text), .json(let text):
            self.init(declaredType: "nvarchar(max)", wire: .text(Array(text.utf8)))
        case .bytes(let bytes):
            self.init(declaredType: "varbinary(max)", wire: .bytes(bytes))
        case .bits(let number, _):
            // SQL Server's BIT holds one bit; a wider bit string is its number.
            self.init(declaredType: "bigint", wire: .bigint(Int64(bitPattern: number)))
        case .date(let date):
            // DATE and TIME travel as DATETIME2 (midnight; 1900-01-01), which SQL Server
            // converts to a date or time column implicitly: dbrpcparam refuses SYBMSDATE and
            // SYBMSTIME values, whose length it takes as fixed and then requires
            // ("SYBERPUL ... it is necessary to specify the parameter's maximum or actual
            // length", src/dblib/rpc.c).
            self.init(declaredType: "datetime2(7)", wire: .dateTime(days: try Self.days(date), ticks: 0))
        case .time(let time):
            guard !time.negative, (0..<24).contains(time.hours), (0..<60).contains(time.minutes),
                  (0..<60).contains(time.seconds), (0..<1_000_000).contains(time.microseconds)
            else { throw Self.unsupported("a TIME outside 00:00:00–23:59:59.999999") }
            let seconds = UInt64(time.hours * 3600 + time.minutes * 60 + time.seconds)
            self.init(
                declaredType: "datetime2(7)", wire: .dateTime(days: 0, ticks: seconds * 10_000_000 + UInt64(time.microseconds) * 10)
            )
        case .dateTime(let value), .timestamp(let value):
            // A `.timestamp` is an instant in UTC; DATETIME2 has no zone, so it holds UTC.
            guard (0..<24).contains(value.hour), (0..<60).contains(value.minute), (0..<60).contains(value.second),
                  (0..<1_000_000).contains(value.microsecond)
            else { throw Self.unsupported("a date and time with a field out of range") }
            let seconds = UInt64(value.hour * 3600 + value.minute * 60 + value.second)
            self.init(
                declaredType: "datetime2(7)",
                wire: .dateTime(days: try Self.days(value.date), ticks: seconds * 10_000_000 + UInt64(value.microsecond) * 10)
            )
        }
    }

    init(declaredType: String, wire: Wire) {
        self.declaredType = declaredType
        self.wire = wire
    }

    private init(decimalText: String) throws {
        guard let decimal = SQLServerDecimal(decimalText) else {
            throw Self.unsupported("a decimal that is not a number of at most 38 digits")
        }
        self.init(declaredType: "decimal(\(decimal.precision),\(decimal.scale))", wire: .decimal(decimal.dbDecimalBytes))
    }

    /// Days since 1900-01-01, the epoch of DBDATETIMEALL.date ("0 = 1900-01-01", sybdb.h).
    private static func days(_ date: SQLDate) throws -> Int32 {
        guard (1...9999).contains(date.year), (1...12).contains(date.month), (1...31).contains(date.day) else {
            throw unsupported("a date outside 0001-01-01–9999-12-31")
        }
        return Int32(date.daysSince1970 + daysFrom1900To1970)
    }

    /// 1900-01-01 is 25567 days before 1970-01-01.
    static let daysFrom1900To1970: Int64 = 25_567

    private static func unsupported(_ what: String) -> SQLServerError {
        SQLServerError(kind: .unsupportedValue, number: 0, message: "SQL Server has no type for \(what)", operation: .query)
    }
}
