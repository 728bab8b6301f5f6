import Directory
import SCIM
import Testing

@Suite struct SQLToSCIMConversionTests {
    static func date(_ y: Int, _ m: Int, _ d: Int) -> SQLDate { SQLDate(year: y, month: m, day: d) }
    static func clock(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int, _ us: Int = 0) -> SQLDateTime {
        SQLDateTime(date: date(y, mo, d), hour: h, minute: mi, second: s, microsecond: us)
    }

    // MARK: Booleans

    static let booleans: [(SQLValue, Bool)] = [
        (.bool(true), true), (.bool(false), false),
        (.int(1), true), (.int(0), false), (.uint(1), true), (.uint(0), false),
        (.bits(1, width: 1), true), (.bits(0, width: 1), false),
        (.text("Y"), true), (.text("N"), false), (.text("y"), true), (.text("n"), false),
        (.text("true"), true), (.text("false"), false), (.text("TRUE"), true), (.text("False"), false),
        (.text("1"), true), (.text("0"), false),
        (.text("T"), true), (.text("F"), false), (.text("t"), true), (.text("f"), false),
        // CHAR(n) pads with blanks.
        (.text("Y   "), true),
        (.decimal("1"), true), (.decimal("0.00"), false), (.double(1), true),
        (.bytes([1]), true), (.bytes([0]), false), (.bytes(Array("N".utf8)), false),
    ]

    @Test(arguments: booleans)
    func readsBoolean(_ value: SQLValue, _ expected: Bool) throws {
        #expect(try value.scimValue(as: .boolean, column: "is_active") == .bool(expected))
    }

    /// MySQL's BOOLEAN is TINYINT(1) and "Nonzero values are considered true" (MySQL 8.4
    /// manual §13.1.1): whatever number such a column holds reads as MySQL reads it, from the
    /// binlog (`.int`, `.uint` for UNSIGNED) and from the binary protocol alike.
    static let nonZeroNumbers: [(SQLValue, Bool)] = [
        (.int(7), true), (.int(-1), true), (.int(2), true), (.int(127), true), (.int(-128), true),
        (.int(Int64.min), true), (.uint(255), true), (.uint(UInt64.max), true),
        (.bits(2, width: 2), true), (.bits(0, width: 8), false),
        (.decimal("7"), true), (.decimal("-1.00"), true), (.decimal("99999999999999999999999"), true),
        (.decimal("-0.00"), false), (.double(-1), true), (.double(0), false),
    ]

    @Test(arguments: nonZeroNumbers)
    func readsNumbersAsMySQLDoesNonZeroIsTrue(_ value: SQLValue, _ expected: Bool) throws {
        #expect(try value.scimValue(as: .boolean, column: "is_active") == .bool(expected))
    }

    static let notBooleans: [(SQLValue, String)] = [
        (.text("maybe"), "text"), (.text("yes please"), "text"), (.text(""), "text"), (.text("X"), "text"),
        (.text("7"), "text"), (.decimal("0.5"), "decimal"), (.double(0.5), "floating-point"),
        (.double(.nan), "floating-point"), (.bytes([2]), "binary"),
    ]

    @Test(arguments: notBooleans)
    func refusesOtherBooleanSpellingsNamingTheColumnAndKindNotTheValue(_ value: SQLValue, _ kind: String) {
        let expected = ValueConversionError(column: "is_active", reason: .notBoolean(kind: kind))
        #expect(throws: expected) {
            try value.scimValue(as: .boolean, column: "is_active")
        }
        #expect(
            expected.description
                == "column \"is_active\": the \(kind) value is not a boolean (expected true/false, Y/N, T/F, or a"
                + " whole number: 0 is false, any other true)")
    }

    @Test func theErrorNeverHoldsTheValue() {
        do {
            _ = try SQLValue.text("maybe").scimValue(as: .boolean, column: "is_active")
            Issue.record("\"maybe\" read as a boolean")
        } catch {
            #expect(!error.description.contains("maybe"))
            #expect(error.description.contains("is_active"))
        }
    }

    @Test func booleanFromADateIsUnsupported() {
        #expect(
            throws: ValueConversionError(
                column: "c", reason: .unsupportedSQLValue(kind: "date", scimType: .boolean))
        ) {
            try SQLValue.date(Self.date(2024, 1, 1)).scimValue(as: .boolean, column: "c")
        }
    }

    @Test(arguments: [
        AttributeDefinition.DataType.string, .boolean, .integer, .decimal, .dateTime, .reference, .binary, .complex,
    ])
    func nullIsNullForEveryType(_ type: AttributeDefinition.DataType) throws {
        #expect(try SQLValue.null.scimValue(as: type, column: "c") == .null)
    }

    // MARK: Integers and decimals

    static let integers: [(SQLValue, Int64)] = [
        (.int(-42), -42), (.uint(42), 42), (.text("17"), 17), (.text(" 17 "), 17), (.decimal("12.00"), 12),
        (.double(3), 3), (.bool(true), 1), (.bits(5, width: 3), 5), (.int(Int64.max), Int64.max),
    ]

    @Test(arguments: integers)
    func readsInteger(_ value: SQLValue, _ expected: Int64) throws {
        #expect(try value.scimValue(as: .integer, column: "n") == .integer(expected))
    }

    @Test(arguments: [SQLValue.uint(UInt64.max), .text("12a"), .decimal("12.5"), .double(0.5), .text("")])
    func refusesNonIntegers(_ value: SQLValue) {
        #expect(throws: ValueConversionError(column: "n", reason: .notInteger)) {
            try value.scimValue(as: .integer, column: "n")
        }
    }

    @Test func readsDecimals() throws {
        #expect(try SQLValue.decimal("12.50").scimValue(as: .decimal, column: "d") == .decimal(12.5))
        #expect(try SQLValue.double(0.25).scimValue(as: .decimal, column: "d") == .decimal(0.25))
        #expect(try SQLValue.int(3).scimValue(as: .decimal, column: "d") == .decimal(3))
        #expect(try SQLValue.text("-1.5").scimValue(as: .decimal, column: "d") == .decimal(-1.5))
        #expect(throws: ValueConversionError(column: "d", reason: .notDecimal)) {
            try SQLValue.text("1e5").scimValue(as: .decimal, column: "d")
        }
        #expect(throws: ValueConversionError(column: "d", reason: .notDecimal)) {
            try SQLValue.double(.infinity).scimValue(as: .decimal, column: "d")
        }
    }

    // MARK: Strings

    static let strings: [(SQLValue, String)] = [
        (.text("Barbara"), "Barbara"), (.int(42), "42"), (.int(-7), "-7"),
        (.uint(18_446_744_073_709_551_615), "18446744073709551615"),
        (.double(2), "2"), (.double(0.5), "0.5"), (.double(0.00001), "0.00001"),
        (.double(1e20), "100000000000000000000"),
        (.double(-1.25e-7), "-0.000000125"),
        (.decimal("12.50"), "12.50"), (.bool(true), "true"), (.bits(5, width: 4), "5"),
        (.bytes(Array("Zoë".utf8)), "Zoë"), (.json("{\"a\":1}"), "{\"a\":1}"),
        (.date(date(2024, 2, 29)), "2024-02-29"),
        (.time(SQLTime(negative: true, hours: 838, minutes: 59, seconds: 59)), "-838:59:59"),
        (.dateTime(clock(2024, 3, 1, 9, 5, 7, 250_000)), "2024-03-01 09:05:07.25"),
        (.timestamp(clock(2024, 3, 1, 9, 5, 7)), "2024-03-01T09:05:07Z"),
    ]

    @Test(arguments: strings)
    func readsString(_ value: SQLValue, _ expected: String) throws {
        #expect(try value.scimValue(as: .string, column: "s") == .string(expected))
        #expect(try value.scimValue(as: .reference, column: "s") == .string(expected))
    }

    @Test func invalidUTF8IsAnError() {
        #expect(throws: ValueConversionError(column: "s", reason: .notUTF8)) {
            try SQLValue.bytes([0xff, 0xfe]).scimValue(as: .string, column: "s")
        }
    }

    @Test func zeroDatesAreNullAsStrings() throws {
        #expect(try SQLValue.date(Self.date(0, 0, 0)).scimValue(as: .string, column: "s") == .null)
        #expect(try SQLValue.dateTime(Self.clock(0, 0, 0, 0, 0, 0)).scimValue(as: .string, column: "s") == .null)
    }

    // MARK: Date-times

    @Test func dateTimeIsAWallClockInTheLayoutZone() throws {
        let value = SQLValue.dateTime(Self.clock(2024, 3, 1, 9, 0, 0))
        #expect(try value.scimValue(as: .dateTime, column: "t") == .string("2024-03-01T09:00:00Z"))
        let berlinWinter = try #require(WallClockZone(fixedOffset: "+01:00"))
        #expect(try value.scimValue(as: .dateTime, column: "t", zone: berlinWinter) == .string("2024-03-01T08:00:00Z"))
        let newYork = try #require(WallClockZone(fixedOffset: "-05:00"))
        let lateEvening = SQLValue.dateTime(Self.clock(2023, 12, 31, 22, 30, 0, 123_456))
        #expect(
            try lateEvening.scimValue(as: .dateTime, column: "t", zone: newYork)
                == .string("2024-01-01T03:30:00.123456Z"))
    }

    @Test func timestampIsUTCWhateverTheZone() throws {
        let zone = try #require(WallClockZone(fixedOffset: "+01:00"))
        let value = SQLValue.timestamp(Self.clock(2024, 3, 1, 9, 0, 0, 500_000))
        #expect(try value.scimValue(as: .dateTime, column: "t", zone: zone) == .string("2024-03-01T09:00:00.5Z"))
    }

    @Test func dateIsMidnightInTheZone() throws {
        let zone = try #require(WallClockZone(fixedOffset: "+02:00"))
        let value = SQLValue.date(Self.date(2024, 3, 1))
        #expect(try value.scimValue(as: .dateTime, column: "t") == .string("2024-03-01T00:00:00Z"))
        #expect(try value.scimValue(as: .dateTime, column: "t", zone: zone) == .string("2024-02-29T22:00:00Z"))
    }

    @Test func zeroDatesAreNull() throws {
        #expect(try SQLValue.date(Self.date(0, 0, 0)).scimValue(as: .dateTime, column: "t") == .null)
        #expect(try SQLValue.dateTime(Self.clock(0, 0, 0, 0, 0, 0)).scimValue(as: .dateTime, column: "t") == .null)
        #expect(try SQLValue.timestamp(Self.clock(0, 0, 0, 0, 0, 0)).scimValue(as: .dateTime, column: "t") == .null)
        // MySQL's zero-in-date: a zero month or day.
        #expect(try SQLValue.date(Self.date(2024, 0, 0)).scimValue(as: .dateTime, column: "t") == .null)
        #expect(try SQLValue.text("0000-00-00 00:00:00").scimValue(as: .dateTime, column: "t") == .null)
    }

    @Test func impossibleDatesAreErrors() {
        #expect(throws: ValueConversionError(column: "t", reason: .notDateTime)) {
            try SQLValue.date(Self.date(2023, 2, 29)).scimValue(as: .dateTime, column: "t")
        }
        #expect(throws: ValueConversionError(column: "t", reason: .notDateTime)) {
            try SQLValue.dateTime(Self.clock(2024, 1, 1, 24, 0, 0)).scimValue(as: .dateTime, column: "t")
        }
    }

    static let dateTimeTexts: [(String, String)] = [
        ("2024-03-01T09:00:00Z", "2024-03-01T09:00:00Z"),
        ("2024-03-01t09:00:00z", "2024-03-01T09:00:00Z"),
        ("2024-03-01T10:00:00+01:00", "2024-03-01T09:00:00Z"),
        ("2024-03-01T04:00:00.120-05:00", "2024-03-01T09:00:00.12Z"),
        ("2016-12-31T23:59:60Z", "2017-01-01T00:00:00Z"),
        // Without an offset: a wall clock in the zone (here +01:00).
        ("2024-03-01 10:00:00", "2024-03-01T09:00:00Z"),
        ("2024-03-01 10:00:00.000001", "2024-03-01T09:00:00.000001Z"),
        ("2024-03-01", "2024-02-29T23:00:00Z"),
    ]

    @Test(arguments: dateTimeTexts)
    func readsDateTimeText(_ text: String, _ expected: String) throws {
        let zone = try #require(WallClockZone(fixedOffset: "+01:00"))
        #expect(try SQLValue.text(text).scimValue(as: .dateTime, column: "t", zone: zone) == .string(expected))
    }

    @Test(arguments: ["yesterday", "2024-13-01T00:00:00Z", "2024-03-01T09:00Z", "2024-03-01T09:00:00+0100", "2024-3-1"])
    func refusesOtherDateTimeText(_ text: String) {
        #expect(throws: ValueConversionError(column: "t", reason: .notDateTime)) {
            try SQLValue.text(text).scimValue(as: .dateTime, column: "t")
        }
    }

    // MARK: Binary

    @Test func binaryIsBase64() throws {
        #expect(try SQLValue.bytes([]).scimValue(as: .binary, column: "b") == .string(""))
        #expect(try SQLValue.bytes([0x4d]).scimValue(as: .binary, column: "b") == .string("TQ=="))
        #expect(try SQLValue.bytes([0x4d, 0x61]).scimValue(as: .binary, column: "b") == .string("TWE="))
        #expect(
            try SQLValue.bytes([0x4d, 0x61, 0x6e, 0xff]).scimValue(as: .binary, column: "b") == .string("TWFu/w=="))
        #expect(try SQLValue.text("TWFu").scimValue(as: .binary, column: "b") == .string("TWFu"))
    }

    @Test func complexAttributesTakeNoColumn() {
        #expect(
            throws: ValueConversionError(
                column: "c", reason: .unsupportedSQLValue(kind: "text", scimType: .complex))
        ) {
            try SQLValue.text("x").scimValue(as: .complex, column: "c")
        }
    }
}
