import Directory
import SCIM
import Testing

@Suite struct SCIMToSQLConversionTests {
    static func clock(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int, _ us: Int = 0) -> SQLDateTime {
        SQLDateTime(date: SQLDate(year: y, month: mo, day: d), hour: h, minute: mi, second: s, microsecond: us)
    }

    func convert(
        _ value: SCIMValue, _ type: ColumnType, as attribute: AttributeDefinition.DataType = .string,
        zone: WallClockZone = .utc
    ) throws -> SQLValue {
        try value.sqlValue(for: type, attributeType: attribute, column: "c", zone: zone)
    }

    // MARK: Booleans

    static let booleanStyles: [(BooleanStyle, SQLValue, SQLValue)] = [
        (.native, .bool(true), .bool(false)),
        (.tinyInt, .int(1), .int(0)),
        (.bit, .bits(1, width: 1), .bits(0, width: 1)),
        (.yesNo, .text("Y"), .text("N")),
    ]

    @Test(arguments: booleanStyles)
    func writesBooleansInTheColumnsSpelling(_ style: BooleanStyle, _ yes: SQLValue, _ no: SQLValue) throws {
        #expect(try convert(true, .boolean(style), as: .boolean) == yes)
        #expect(try convert(false, .boolean(style), as: .boolean) == no)
        #expect(try convert(1, .boolean(style), as: .boolean) == yes)
        #expect(try convert("N", .boolean(style), as: .boolean) == no)
        #expect(try convert("true", .boolean(style), as: .boolean) == yes)
        #expect(try convert(nil, .boolean(style), as: .boolean) == .null)
    }

    @Test func numbersMeanWhatTheyMeanWhenRead() throws {
        #expect(try convert(2, .boolean(.native), as: .boolean) == .bool(true))
        #expect(try convert(-1, .boolean(.tinyInt), as: .boolean) == .int(1))
        #expect(try convert(0, .boolean(.yesNo), as: .boolean) == .text("N"))
        #expect(try convert(7.0, .boolean(.bit), as: .boolean) == .bits(1, width: 1))
    }

    @Test func refusesNonBooleansForBooleanColumns() {
        #expect(throws: ValueConversionError(column: "c", reason: .notBoolean(kind: "string"))) {
            try convert("maybe", .boolean(.tinyInt), as: .boolean)
        }
        #expect(throws: ValueConversionError(column: "c", reason: .notBoolean(kind: "decimal"))) {
            try convert(0.5, .boolean(.native), as: .boolean)
        }
        #expect(
            throws: ValueConversionError(
                column: "c", reason: .unsupportedSCIMValue(kind: "complex attribute", column: .boolean(.bit)))
        ) {
            try convert(["a": 1], .boolean(.bit), as: .boolean)
        }
    }

    // MARK: Numbers

    @Test func writesIntegers() throws {
        #expect(try convert(42, .integer(unsigned: false), as: .integer) == .int(42))
        #expect(try convert("42", .integer(unsigned: true)) == .int(42))
        #expect(try convert(true, .integer(unsigned: false), as: .boolean) == .int(1))
        #expect(try convert(3.0, .integer(unsigned: false), as: .decimal) == .int(3))
        #expect(throws: ValueConversionError(column: "c", reason: .negativeForUnsigned)) {
            try convert(-1, .integer(unsigned: true), as: .integer)
        }
        #expect(throws: ValueConversionError(column: "c", reason: .notInteger)) {
            try convert("4x", .integer(unsigned: false))
        }
        #expect(throws: ValueConversionError(column: "c", reason: .notInteger)) {
            try convert(2.5, .integer(unsigned: false), as: .decimal)
        }
    }

    @Test func writesDecimalsAsExactText() throws {
        #expect(try convert(12, .decimal, as: .integer) == .decimal("12"))
        #expect(try convert(12.5, .decimal, as: .decimal) == .decimal("12.5"))
        #expect(try convert(0.00001, .decimal, as: .decimal) == .decimal("0.00001"))
        #expect(try convert(" 12.50 ", .decimal) == .decimal("12.50"))
        #expect(throws: ValueConversionError(column: "c", reason: .notDecimal)) { try convert("1e5", .decimal) }
        #expect(try convert(2, .double, as: .integer) == .double(2))
        #expect(try convert("0.5", .double) == .double(0.5))
    }

    // MARK: Text

    @Test func writesNumbersIntoTextColumnsAsText() throws {
        #expect(try convert(42, .text(maxLength: nil), as: .integer) == .text("42"))
        #expect(try convert(1.5, .text(maxLength: nil), as: .decimal) == .text("1.5"))
        #expect(try convert(false, .text(maxLength: nil), as: .boolean) == .text("false"))
    }

    @Test func checksDeclaredLengthsInCharacters() throws {
        #expect(try convert("Zoë", .text(maxLength: 3)) == .text("Zoë"))
        #expect(try convert("Zoe", .text(maxLength: 3)) == .text("Zoe"))
        // Four UTF-8 bytes a character: counted in characters, not bytes, either way.
        #expect(try convert("👍👍", .text(maxLength: 2)) == .text("👍👍"))
        #expect(throws: ValueConversionError(column: "c", reason: .tooLong(length: 3, maxLength: 2))) {
            try SCIMValue.string("👍👍👍").sqlValue(for: .text(maxLength: 2), attributeType: .string, column: "c")
        }
        #expect(throws: ValueConversionError(column: "first_name", reason: .tooLong(length: 4, maxLength: 3))) {
            try SCIMValue.string("Zoë!").sqlValue(
                for: .text(maxLength: 3), attributeType: .string, column: "first_name")
        }
        let error = ValueConversionError(column: "first_name", reason: .tooLong(length: 4, maxLength: 3))
        #expect(
            error.description
                == "column \"first_name\": the text has 4 characters but the column holds at most 3; widen the column")
    }

    @Test func refusesComplexValuesInTextColumns() {
        #expect(
            throws: ValueConversionError(
                column: "c", reason: .unsupportedSCIMValue(kind: "multi-valued attribute", column: .text(maxLength: 10))
            )
        ) {
            try convert(["a"], .text(maxLength: 10))
        }
    }

    // MARK: Dates

    @Test func writesInstantsIntoTimestampColumnsInUTC() throws {
        let zone = try #require(WallClockZone(fixedOffset: "+01:00"))
        #expect(
            try convert("2024-03-01T10:00:00+01:00", .timestamp, as: .dateTime, zone: zone)
                == .timestamp(Self.clock(2024, 3, 1, 9, 0, 0)))
        #expect(
            try convert("2024-03-01T09:00:00.5Z", .timestamp, as: .dateTime)
                == .timestamp(Self.clock(2024, 3, 1, 9, 0, 0, 500_000)))
    }

    @Test func writesInstantsIntoDateTimeColumnsAsWallClockInTheZone() throws {
        let zone = try #require(WallClockZone(fixedOffset: "+01:00"))
        #expect(
            try convert("2024-03-01T09:00:00Z", .dateTime, as: .dateTime)
                == .dateTime(Self.clock(2024, 3, 1, 9, 0, 0)))
        #expect(
            try convert("2024-03-01T09:00:00Z", .dateTime, as: .dateTime, zone: zone)
                == .dateTime(Self.clock(2024, 3, 1, 10, 0, 0)))
        #expect(
            try convert("2024-12-31T23:30:00.000001Z", .dateTime, as: .dateTime, zone: zone)
                == .dateTime(Self.clock(2025, 1, 1, 0, 30, 0, 1)))
    }

    @Test func writesDates() throws {
        let zone = try #require(WallClockZone(fixedOffset: "+01:00"))
        #expect(
            try convert("2024-03-01T23:30:00Z", .date, as: .dateTime, zone: zone)
                == .date(SQLDate(year: 2024, month: 3, day: 2)))
        #expect(
            try convert("2024-03-01", .date, as: .dateTime, zone: zone) == .date(SQLDate(year: 2024, month: 3, day: 1)))
    }

    @Test func refusesBadDateTimes() {
        #expect(throws: ValueConversionError(column: "c", reason: .notDateTime)) {
            try convert("0000-00-00", .date, as: .dateTime)
        }
        #expect(throws: ValueConversionError(column: "c", reason: .notDateTime)) {
            try convert("2024-02-30T00:00:00Z", .timestamp, as: .dateTime)
        }
        #expect(
            throws: ValueConversionError(
                column: "c", reason: .unsupportedSCIMValue(kind: "integer", column: .dateTime))
        ) {
            try convert(1_700_000_000, .dateTime, as: .integer)
        }
    }

    // MARK: Others

    @Test func writesUUIDs() throws {
        #expect(
            try convert("2819c223-7f76-453a-919d-413861904646", .uuid)
                == .text("2819c223-7f76-453a-919d-413861904646"))
        #expect(throws: ValueConversionError(column: "c", reason: .notUUID)) {
            try convert("2819c223-7f76-453a-919d-41386190464", .uuid)
        }
    }

    @Test func writesBytes() throws {
        #expect(try convert("TWFu/w==", .bytes, as: .binary) == .bytes([0x4d, 0x61, 0x6e, 0xff]))
        #expect(try convert("TQ==", .bytes, as: .binary) == .bytes([0x4d]))
        #expect(try convert("Man", .bytes, as: .string) == .bytes([0x4d, 0x61, 0x6e]))
        #expect(throws: ValueConversionError(column: "c", reason: .notBase64)) {
            try convert("TQ=", .bytes, as: .binary)
        }
        #expect(throws: ValueConversionError(column: "c", reason: .notBase64)) {
            try convert("T=Q=", .bytes, as: .binary)
        }
    }

    @Test func writesJSONText() throws {
        #expect(try convert("{\"a\":1}", .json) == .json("{\"a\":1}"))
        #expect(try convert(7, .json, as: .integer) == .json("7"))
        #expect(try convert(true, .json, as: .boolean) == .json("true"))
    }

    @Test func passesValuesInTheirNaturalFormToUnknownColumns() throws {
        #expect(try convert("x", .unknown("geometry")) == .text("x"))
        #expect(try convert(3, .unknown("geometry"), as: .integer) == .int(3))
        #expect(try convert(true, .unknown("geometry"), as: .boolean) == .bool(true))
    }

    @Test func roundTripsThroughTheReverseConversion() throws {
        let zone = try #require(WallClockZone(fixedOffset: "-03:00"))
        let cases: [(SCIMValue, ColumnType, AttributeDefinition.DataType)] = [
            (true, .boolean(.yesNo), .boolean), (false, .boolean(.bit), .boolean),
            (-5, .integer(unsigned: false), .integer), (2.75, .decimal, .decimal),
            ("2024-03-01T09:00:00.25Z", .dateTime, .dateTime), ("2024-03-01T09:00:00Z", .timestamp, .dateTime),
            ("TWFu/w==", .bytes, .binary), ("Zoë", .text(maxLength: 3), .string),
        ]
        for (value, column, type) in cases {
            let sql = try value.sqlValue(for: column, attributeType: type, column: "c", zone: zone)
            #expect(try sql.scimValue(as: type, column: "c", zone: zone) == value)
        }
    }
}
