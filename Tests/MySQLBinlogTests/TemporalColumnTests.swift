import Directory
import Testing
import MySQLBinlog

/// DATE, TIME(n), DATETIME(n), TIMESTAMP(n) from `fx.times` (written with time_zone +00:00, so
/// TIMESTAMPs read back as inserted).
@Suite struct TemporalColumnTests {
    let rows: [[BinlogValue]]

    init() throws {
        rows = try Fixtures.inserted("binlog.000001", table: "fx.times")
    }

    static func date(_ y: Int, _ m: Int, _ d: Int) -> SQLDate { SQLDate(year: y, month: m, day: d) }
    static func time(_ negative: Bool, _ h: Int, _ m: Int, _ s: Int, _ us: Int) -> BinlogValue {
        .time(SQLTime(negative: negative, hours: h, minutes: m, seconds: s, microseconds: us))
    }
    static func dateTime(_ d: SQLDate, _ h: Int, _ m: Int, _ s: Int, _ us: Int) -> SQLDateTime {
        SQLDateTime(date: d, hour: h, minute: m, second: s, microsecond: us)
    }

    @Test func rangeEndsAndNegativeTimes() {
        #expect(rows[0] == [
            .int(1), .date(Self.date(1000, 1, 1)), Self.time(true, 838, 59, 59, 0), Self.time(true, 0, 0, 0, 100_000),
            Self.time(true, 12, 34, 56, 789_000), Self.time(true, 838, 59, 59, 0),
            .dateTime(Self.dateTime(Self.date(1000, 1, 1), 0, 0, 0, 0)),
            .dateTime(Self.dateTime(Self.date(2024, 2, 29), 12, 34, 56, 780_000)),
            .dateTime(Self.dateTime(Self.date(9999, 12, 31), 23, 59, 59, 999_999)),
            .timestamp(Self.dateTime(Self.date(1970, 1, 1), 0, 0, 1, 0)),
            .timestamp(Self.dateTime(Self.date(2038, 1, 19), 3, 14, 7, 999_000)),
            .timestamp(Self.dateTime(Self.date(2001, 9, 9), 1, 46, 40, 1)),
        ])
    }

    @Test func fractionsAndNegativeFractionBorrow() {
        #expect(rows[1] == [
            .int(2), .date(Self.date(9999, 12, 31)), Self.time(false, 838, 59, 59, 0), Self.time(false, 0, 0, 0, 500_000),
            Self.time(true, 0, 0, 1, 500_000), Self.time(false, 12, 34, 56, 1),
            .dateTime(Self.dateTime(Self.date(2000, 1, 1), 0, 0, 0, 0)),
            .dateTime(Self.dateTime(Self.date(1999, 12, 31), 23, 59, 59, 990_000)),
            .dateTime(Self.dateTime(Self.date(2024, 11, 23), 5, 44, 51, 123_456)),
            .timestamp(Self.dateTime(Self.date(2024, 11, 23), 5, 44, 51, 0)),
            .timestamp(Self.dateTime(Self.date(1999, 12, 31), 23, 59, 59, 500_000)),
            .timestamp(Self.dateTime(Self.date(2024, 2, 29), 0, 0, 0, 500_000)),
        ])
    }

    @Test func zeroDates() {
        let zero = Self.date(0, 0, 0)
        #expect(rows[3] == [
            .int(4), .date(zero), Self.time(false, 0, 0, 0, 0), Self.time(false, 0, 0, 0, 0),
            Self.time(true, 0, 0, 0, 1000), Self.time(true, 0, 0, 0, 1),
            .dateTime(Self.dateTime(zero, 0, 0, 0, 0)), .dateTime(Self.dateTime(zero, 0, 0, 0, 0)),
            .dateTime(Self.dateTime(Self.date(2024, 0, 0), 0, 0, 0, 0)),
            .timestamp(Self.dateTime(zero, 0, 0, 0, 0)), .timestamp(Self.dateTime(zero, 0, 0, 0, 0)), .null,
        ])
    }

    @Test func nulls() {
        #expect(rows[2] == [.int(3)] + Array(repeating: BinlogValue.null, count: 11))
    }

    @Test func fractionalDigitsComeFromTheColumn() throws {
        let map = try #require(try Fixtures.tableMap("binlog.000001", table: "fx.times"))
        #expect(map.columns.map(\.scale) == [0, 0, 0, 1, 3, 6, 0, 2, 6, 0, 3, 6])
    }
}
