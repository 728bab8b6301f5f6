import Directory
@testable import SQLServerClient
import Testing

/// How values become sp_executesql parameters, without a server.
@Suite struct SQLServerParameterTests {
    @Test func declarationListNamesEveryValueByItsType() throws {
        let values: [SQLValue] = [
            .text("a"), .int(1), .bool(true),
            .dateTime(SQLDateTime(date: SQLDate(year: 2024, month: 1, day: 2), hour: 3, minute: 4, second: 5)),
            .bytes([1]), .decimal("12.50"), .null, .double(1.5), .date(SQLDate(year: 2000, month: 1, day: 1)),
            .time(SQLTime(hours: 1, minutes: 2, seconds: 3)), .uint(UInt64.max), .uint(7), .json("{}"),
        ]
        let batch = SQLServerBatch(sql: "SELECT 1", parameters: try values.map(SQLServerParameter.init))
        #expect(batch.declarations == "@p1 nvarchar(max), @p2 bigint, @p3 bit, @p4 datetime2(7), @p5 varbinary(max), "
            + "@p6 decimal(4,2), @p7 nvarchar(max), @p8 float, @p9 datetime2(7), @p10 datetime2(7), @p11 decimal(20,0), "
            + "@p12 bigint, @p13 nvarchar(max)")
        #expect(batch.names == (1...13).map { "@p\($0)" })
        #expect(batch.statement == "SELECT 1")
    }

    @Test func valuesAreNeverPartOfTheStatement() throws {
        let secret = "'; DROP TABLE users; --"
        let batch = SQLServerBatch(sql: "SELECT @p1", parameters: [try SQLServerParameter(.text(secret))])
        #expect(!batch.statement.contains(secret))
        #expect(!batch.declarations.contains(secret))
    }

    /// db-lib sends a zero-length value as NULL: empty values are set inside the batch from a
    /// constant, and NULL stays NULL.
    @Test func emptyTextAndBytesArePresetInTheBatch() throws {
        let parameters = try [SQLValue.text(""), .bytes([]), .null, .text("x")].map(SQLServerParameter.init)
        let batch = SQLServerBatch(sql: "SELECT @p1, @p2, @p3, @p4", parameters: parameters)
        #expect(batch.statement == "SET @p1 = N''; SET @p2 = 0x;\nSELECT @p1, @p2, @p3, @p4")
        #expect(parameters[2].wire == .null)
    }

    @Test func textTravelsAsUTF8ForFreeTDSToConvert() throws {
        let parameter = try SQLServerParameter(.text("é😀"))
        #expect(parameter.wire == .text([0xc3, 0xa9, 0xf0, 0x9f, 0x98, 0x80]))
    }

    @Test func datesCountDaysFrom1900() throws {
        #expect(try SQLServerParameter(.date(SQLDate(year: 1900, month: 1, day: 1))).wire == .dateTime(days: 0, ticks: 0))
        #expect(try SQLServerParameter(.date(SQLDate(year: 1970, month: 1, day: 1))).wire == .dateTime(days: 25_567, ticks: 0))
        #expect(try SQLServerParameter(.date(SQLDate(year: 1, month: 1, day: 1))).wire == .dateTime(days: -693_595, ticks: 0))
        let value = SQLDateTime(date: SQLDate(year: 1900, month: 1, day: 2), hour: 0, minute: 0, second: 1, microsecond: 5)
        #expect(try SQLServerParameter(.dateTime(value)).wire == .dateTime(days: 1, ticks: 10_000_050))
        #expect(try SQLServerParameter(.timestamp(value)).declaredType == "datetime2(7)")
        let time = SQLTime(hours: 1, minutes: 0, seconds: 0, microseconds: 1)
        #expect(try SQLServerParameter(.time(time)).wire == .dateTime(days: 0, ticks: 36_000_000_010))
    }

    @Test func valuesWithoutASQLServerTypeAreRefused() {
        #expect(throws: SQLServerError.self) {
            try SQLServerParameter(.time(SQLTime(negative: true, hours: 1, minutes: 0, seconds: 0)))
        }
        #expect(throws: SQLServerError.self) { try SQLServerParameter(.time(SQLTime(hours: 25, minutes: 0, seconds: 0))) }
        #expect(throws: SQLServerError.self) { try SQLServerParameter(.decimal(String(repeating: "9", count: 39))) }
        #expect(throws: SQLServerError.self) { try SQLServerParameter(.decimal("1e5")) }
        #expect(throws: SQLServerError.self) { try SQLServerParameter(.date(SQLDate(year: 0, month: 0, day: 0))) }
    }
}
