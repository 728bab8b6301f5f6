import Directory
@testable import SQLClients
import Testing

/// Parsing PostgreSQL's text output, without a server.
@Suite struct PostgresTextValueTests {
    func parse(_ text: String, _ type: UInt32) -> SQLValue {
        Array(text.utf8).withUnsafeBytes { PostgresTextValue.parse($0, type: type) }
    }

    func instant(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, _ second: Int, _ micro: Int = 0)
        -> SQLValue
    {
        .timestamp(SQLDateTime(
            date: SQLDate(year: year, month: month, day: day), hour: hour, minute: minute, second: second,
            microsecond: micro
        ))
    }

    @Test func zonedTimestampsAreConvertedToUTC() {
        #expect(parse("2024-03-01 12:34:56+00", PostgresType.timestamptz) == instant(2024, 3, 1, 12, 34, 56))
        #expect(parse("2024-03-01 14:34:56.5+02", PostgresType.timestamptz) == instant(2024, 3, 1, 12, 34, 56, 500_000))
        #expect(parse("2024-03-01 05:30:00+05:30", PostgresType.timestamptz) == instant(2024, 3, 1, 0, 0, 0))
        // Across a day, a leap day and a year.
        #expect(parse("2024-03-01 00:15:00+01", PostgresType.timestamptz) == instant(2024, 2, 29, 23, 15, 0))
        #expect(parse("2023-12-31 23:00:00-01", PostgresType.timestamptz) == instant(2024, 1, 1, 0, 0, 0))
        #expect(parse("1901-12-13 20:45:52+00:09:21", PostgresType.timestamptz) == instant(1901, 12, 13, 20, 36, 31))
    }

    @Test func datesBeforeTheCommonEraUseAstronomicalYears() {
        #expect(parse("0044-03-15 BC", PostgresType.date) == .date(SQLDate(year: -43, month: 3, day: 15)))
        #expect(parse("0001-01-01 BC", PostgresType.date) == .date(SQLDate(year: 0, month: 1, day: 1)))
        #expect(parse("12345-06-07", PostgresType.date) == .date(SQLDate(year: 12345, month: 6, day: 7)))
    }

    @Test func unparseableTemporalTextStaysText() {
        #expect(parse("infinity", PostgresType.timestamptz) == .text("infinity"))
        #expect(parse("-infinity", PostgresType.date) == .text("-infinity"))
        #expect(parse("2024-03-01 12:00:00", PostgresType.timestamptz) == .text("2024-03-01 12:00:00"))
        #expect(parse("2024-03-01 12:00:00 AD", PostgresType.timestamp) == .text("2024-03-01 12:00:00 AD"))
    }

    @Test func timesAndFractions() {
        #expect(parse("24:00:00", PostgresType.time) == .time(SQLTime(hours: 24, minutes: 0, seconds: 0)))
        #expect(parse("01:02:03.000004", PostgresType.time) == .time(SQLTime(hours: 1, minutes: 2, seconds: 3, microseconds: 4)))
        #expect(parse("01:02:03.1", PostgresType.time) == .time(SQLTime(hours: 1, minutes: 2, seconds: 3, microseconds: 100_000)))
    }

    @Test func byteaHexAndBitStrings() {
        #expect(parse("\\x", PostgresType.bytea) == .bytes([]))
        #expect(parse("\\x00ff10Ab", PostgresType.bytea) == .bytes([0x00, 0xFF, 0x10, 0xAB]))
        #expect(parse("\\x0", PostgresType.bytea) == .text("\\x0"))
        #expect(parse("1", PostgresType.bit) == .bits(1, width: 1))
        #expect(parse("", PostgresType.varbit) == .bits(0, width: 0))
        let wide = String(repeating: "1", count: 65)
        #expect(parse(wide, PostgresType.varbit) == .text(wide))
    }

    @Test func sqlStateIsFoundInVerboseConnectionMessages() {
        let message = """
            connection to server at "127.0.0.1", port 5432 failed: FATAL:  28P01: password authentication \
            failed for user "scimsync"
            LOCATION:  auth_failed, auth.c:335
            """
        #expect(PostgresConnection.sqlState(inVerboseMessage: message) == "28P01")
        // Translated severity words keep the layout.
        #expect(PostgresConnection.sqlState(inVerboseMessage: "FATAL:  3D000: la base de données n'existe pas") == "3D000")
        #expect(PostgresConnection.sqlState(inVerboseMessage: "could not connect: Connection refused") == nil)
    }
}
