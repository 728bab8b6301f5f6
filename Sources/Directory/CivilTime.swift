import SCIM

/// Calendar arithmetic and date-time text for the conversions, without Foundation: the
/// proleptic Gregorian calendar, seconds since 1970 in UTC, RFC 3339 text for SCIM and
/// `YYYY-MM-DD HH:MM:SS[.ffffff]` text for SQL.

/// An instant: seconds since 1970-01-01T00:00:00Z and microseconds within the second.
struct Instant: Hashable {
    var seconds: Int64
    var microsecond: Int
}

extension SQLDate {
    /// MySQL's zero date `0000-00-00` and dates with a zero month or day ("zero-in-date",
    /// MySQL 8.4 manual §13.2.2) name no day, so they convert to SCIM null.
    var isZeroDate: Bool { month == 0 || day == 0 }

    var isValid: Bool {
        (0...9999).contains(year) && (1...12).contains(month) && day >= 1
            && day <= GregorianCalendar.daysInMonth(year: year, month: month)
    }

    /// Days since 1970-01-01.
    public var daysSince1970: Int64 { GregorianCalendar.days(year: year, month: month, day: day) }

    /// The date `days` after 1970-01-01.
    public init(daysSince1970 days: Int64) {
        let civil = GregorianCalendar.date(days: days)
        self.init(year: civil.year, month: civil.month, day: civil.day)
    }

    /// `YYYY-MM-DD`.
    var text: String { TemporalText.date(self) }
}

extension SQLDateTime {
    var isValid: Bool {
        date.isValid && (0...23).contains(hour) && (0...59).contains(minute) && (0...59).contains(second)
            && (0...999_999).contains(microsecond)
    }

    /// Seconds since 1970 as if this wall-clock time were in UTC.
    public var secondsAsUTC: Int64 {
        date.daysSince1970 * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    /// The calendar time `seconds` after 1970-01-01T00:00:00 (UTC, or any wall clock read
    /// as if it were UTC).
    public init(secondsAsUTC seconds: Int64, microsecond: Int = 0) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let rest = Int(seconds - days * 86_400)
        self.init(
            date: SQLDate(daysSince1970: days), hour: rest / 3600, minute: rest % 3600 / 60, second: rest % 60,
            microsecond: microsecond)
    }

    /// The instant this wall-clock time names in `zone`.
    func instant(in zone: WallClockZone) -> Instant {
        let local = secondsAsUTC
        return Instant(seconds: local - Int64(zone.secondsFromUTC(atWallClock: local)), microsecond: microsecond)
    }

    /// The wall-clock time of `instant` in `zone`.
    init(_ instant: Instant, in zone: WallClockZone) {
        let offset = zone.secondsFromUTC(atInstant: instant.seconds)
        self.init(secondsAsUTC: instant.seconds + Int64(offset), microsecond: instant.microsecond)
    }

    /// `YYYY-MM-DD HH:MM:SS[.ffffff]`, the form MySQL, PostgreSQL and SQL Server all print.
    var sqlText: String {
        TemporalText.dateTime(self)
    }
}

extension Instant {
    /// RFC 3339 in UTC, `2024-03-01T08:00:00Z`, with a fraction only when there is one
    /// (trailing zeros dropped), so equal instants always print the same text.
    var rfc3339: String {
        let t = SQLDateTime(secondsAsUTC: seconds, microsecond: microsecond)
        return TemporalText.dateTime(t, separator: "T") + "Z"
    }
}

/// The RFC 3339 text of the instant `text` names, in UTC and in the one spelling scimsync
/// writes (``Instant/rfc3339``: `2024-03-01T08:00:00Z`, a fraction only when there is one);
/// nil when `text` names no instant (it has no offset, or is not a date-time).
///
/// A text column holds date-times as text, so another spelling of the same instant
/// (`2024-03-01T09:00:00+01:00`) compares as different text until it is spelled this way.
public func utcDateTimeText(_ text: String) -> String? {
    guard case .instant(let instant)? = DateTimeText(text.trimmingASCIISpaces()) else { return nil }
    return instant.rfc3339
}

/// What a date-time text said: an instant (it carried an offset), a wall-clock time (it
/// carried none), or a date alone.
enum DateTimeText: Hashable {
    case instant(Instant)
    case wallClock(SQLDateTime)
    case date(SQLDate)

    /// Parses RFC 3339 §5.6 `date-time` (`T`, `t` or a space between date and time, which
    /// §5.6's note allows; `Z`/`z` or `±HH:MM`), a `full-date` alone, and the same forms
    /// without an offset as SQL prints them. A leap second (`:60`) counts as the next
    /// second's start. Returns nil for anything else, including impossible dates.
    init?(_ text: String) {
        var reader = DigitReader(Array(text.utf8))
        guard let year = reader.number(4), reader.skip("-"), let month = reader.number(2), reader.skip("-"),
            let day = reader.number(2)
        else { return nil }
        let date = SQLDate(year: year, month: month, day: day)
        if reader.atEnd {
            guard date.isValid || date.isZeroDate else { return nil }
            self = .date(date)
            return
        }
        guard reader.skip("T") || reader.skip("t") || reader.skip(" "), let hour = reader.number(2),
            reader.skip(":"), let minute = reader.number(2), reader.skip(":"), let second = reader.number(2)
        else { return nil }
        var microsecond = 0
        if reader.skip(".") {
            guard let fraction = reader.digits(), !fraction.isEmpty else { return nil }
            // Keep microseconds, the finest resolution SQL columns store.
            let kept = fraction.prefix(6)
            microsecond = Int(String(decoding: kept, as: UTF8.self))! * pow10(6 - kept.count)
        }
        let leap = second == 60
        let clock = SQLDateTime(
            date: date, hour: hour, minute: minute, second: leap ? 59 : second, microsecond: microsecond)
        guard clock.isValid || (date.isZeroDate && hour == 0 && minute == 0 && second == 0) else { return nil }
        if reader.atEnd {
            guard !leap else { return nil }
            self = .wallClock(clock)
            return
        }
        var offset = 0
        if reader.skip("Z") || reader.skip("z") {
            offset = 0
        } else {
            let negative: Bool
            if reader.skip("+") {
                negative = false
            } else if reader.skip("-") {
                negative = true
            } else {
                return nil
            }
            guard let hours = reader.number(2), reader.skip(":"), let minutes = reader.number(2), hours <= 23,
                minutes <= 59
            else { return nil }
            offset = (hours * 3600 + minutes * 60) * (negative ? -1 : 1)
        }
        guard reader.atEnd, !date.isZeroDate else { return nil }
        let seconds = clock.secondsAsUTC - Int64(offset) + (leap ? 1 : 0)
        self = .instant(Instant(seconds: seconds, microsecond: microsecond))
    }
}

private func pow10(_ n: Int) -> Int {
    var r = 1
    for _ in 0..<n { r *= 10 }
    return r
}

/// Reads fixed-width ASCII numbers and separators from UTF-8 bytes.
private struct DigitReader {
    var bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { index == bytes.count }

    mutating func skip(_ character: Unicode.Scalar) -> Bool {
        guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
        index += 1
        return true
    }

    /// Exactly `width` digits.
    mutating func number(_ width: Int) -> Int? {
        guard index + width <= bytes.count else { return nil }
        var value = 0
        for b in bytes[index..<index + width] {
            guard b >= 48 && b <= 57 else { return nil }
            value = value * 10 + Int(b - 48)
        }
        index += width
        return value
    }

    /// All digits from here on.
    mutating func digits() -> ArraySlice<UInt8>? {
        let start = index
        while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 { index += 1 }
        return bytes[start..<index]
    }
}
