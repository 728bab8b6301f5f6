import Directory

/// Parses PostgreSQL's text output format into `SQLValue`s by column type, assuming the session
/// settings PostgresConnection fixes (DateStyle ISO, TimeZone UTC, bytea_output hex).
enum PostgresTextValue {
    static func parse(_ text: UnsafeRawBufferPointer, type: UInt32) -> SQLValue {
        let bytes = Array(text)
        let string = String(decoding: bytes, as: UTF8.self)
        switch type {
        case PostgresType.bool:
            return .bool(string == "t")
        case PostgresType.int2, PostgresType.int4, PostgresType.int8:
            return Int64(string).map(SQLValue.int) ?? .decimal(string)
        case PostgresType.oid:
            return UInt64(string).map(SQLValue.uint) ?? .decimal(string)
        case PostgresType.float4, PostgresType.float8:
            return .double(double(string))
        case PostgresType.numeric:
            return .decimal(string)
        case PostgresType.bytea:
            return hexBytes(bytes).map(SQLValue.bytes) ?? .text(string)
        case PostgresType.json, PostgresType.jsonb:
            return .json(string)
        case PostgresType.date:
            var scanner = TextScanner(bytes)
            guard let date = scanner.date(), let adjusted = scanner.eraAndEnd(adjusting: date) else {
                return .text(string)
            }
            return .date(adjusted)
        case PostgresType.time:
            var scanner = TextScanner(bytes)
            guard let time = scanner.time(), scanner.atEnd else { return .text(string) }
            return .time(time)
        case PostgresType.timestamp:
            return dateTime(bytes, withZone: false).map(SQLValue.dateTime) ?? .text(string)
        case PostgresType.timestamptz:
            return dateTime(bytes, withZone: true).map(SQLValue.timestamp) ?? .text(string)
        case PostgresType.bit, PostgresType.varbit:
            guard bytes.count <= 64, bytes.allSatisfy({ $0 == UInt8(ascii: "0") || $0 == UInt8(ascii: "1") }) else {
                return .text(string)
            }
            return .bits(bytes.reduce(0) { $0 << 1 | ($1 == UInt8(ascii: "1") ? 1 : 0) }, width: bytes.count)
        default:
            // text, varchar, bpchar, name, char, uuid, and every other type keep their text form.
            return .text(string)
        }
    }

    private static func double(_ text: String) -> Double {
        switch text {
        case "NaN": .nan
        case "Infinity": .infinity
        case "-Infinity": -.infinity
        default: Double(text) ?? .nan
        }
    }

    /// `\x0a1b...` (bytea_output = hex).
    static func hexBytes(_ text: [UInt8]) -> [UInt8]? {
        guard text.count >= 2, text[0] == UInt8(ascii: "\\"), text[1] == UInt8(ascii: "x"), text.count % 2 == 0 else {
            return nil
        }
        func nibble(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(text.count / 2 - 1)
        var index = 2
        while index < text.count {
            guard let high = nibble(text[index]), let low = nibble(text[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    /// `2024-03-01 13:45:00.25`, with a zone offset (`+00`, `+05:30`) when `withZone`, and
    /// ` BC` for years before 1. A zoned value is converted to UTC.
    static func dateTime(_ bytes: [UInt8], withZone: Bool) -> SQLDateTime? {
        var scanner = TextScanner(bytes)
        guard let date = scanner.date(), scanner.take(UInt8(ascii: " ")), let time = scanner.time(),
              !time.negative
        else { return nil }
        var offsetSeconds = 0
        if withZone {
            guard let offset = scanner.zoneOffset() else { return nil }
            offsetSeconds = offset
        }
        guard let adjusted = scanner.eraAndEnd(adjusting: date) else { return nil }
        let value = SQLDateTime(
            date: adjusted, hour: time.hours, minute: time.minutes, second: time.seconds,
            microsecond: time.microseconds
        )
        return offsetSeconds == 0 ? value : CivilTime.shifted(value, bySeconds: -offsetSeconds)
    }
}

/// A cursor over ASCII text that reads the pieces of PostgreSQL's ISO date/time output.
struct TextScanner {
    private let bytes: [UInt8]
    private var index = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var atEnd: Bool { index == bytes.count }

    mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// One or more digits (at most `maximum`) as a number, with how many digits there were.
    mutating func number(maximum: Int = 9) -> (value: Int, digits: Int)? {
        var value = 0
        var digits = 0
        while index < bytes.count, digits < maximum, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
            value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
            index += 1
            digits += 1
        }
        return digits == 0 ? nil : (value, digits)
    }

    /// Exactly `count` digits.
    mutating func digits(_ count: Int) -> Int? {
        guard let (value, digits) = number(maximum: count), digits == count else { return nil }
        return value
    }

    /// `YYYY-MM-DD` (the year may have more than four digits).
    mutating func date() -> SQLDate? {
        guard let (year, yearDigits) = number(), yearDigits >= 4, take(UInt8(ascii: "-")),
              let month = digits(2), take(UInt8(ascii: "-")), let day = digits(2)
        else { return nil }
        return SQLDate(year: year, month: month, day: day)
    }

    /// `[-]HH:MM:SS[.f...]`, the fraction scaled to microseconds.
    mutating func time() -> SQLTime? {
        let negative = take(UInt8(ascii: "-"))
        guard let (hours, _) = number(), take(UInt8(ascii: ":")), let minutes = digits(2),
              take(UInt8(ascii: ":")), let seconds = digits(2)
        else { return nil }
        var microseconds = 0
        if take(UInt8(ascii: ".")) {
            guard let (fraction, digits) = number(maximum: 6) else { return nil }
            microseconds = fraction * [1, 100_000, 10_000, 1_000, 100, 10, 1][digits]
        }
        return SQLTime(negative: negative, hours: hours, minutes: minutes, seconds: seconds, microseconds: microseconds)
    }

    /// `+HH[:MM[:SS]]` or `-HH...`, in seconds east of UTC.
    mutating func zoneOffset() -> Int? {
        let sign: Int
        if take(UInt8(ascii: "+")) {
            sign = 1
        } else if take(UInt8(ascii: "-")) {
            sign = -1
        } else {
            return nil
        }
        guard let hours = digits(2) else { return nil }
        var seconds = hours * 3600
        if take(UInt8(ascii: ":")) {
            guard let minutes = digits(2) else { return nil }
            seconds += minutes * 60
            if take(UInt8(ascii: ":")) {
                guard let extra = digits(2) else { return nil }
                seconds += extra
            }
        }
        return sign * seconds
    }

    /// Consumes an optional ` BC` and requires the end of the text. PostgreSQL has no year 0:
    /// 1 BC is returned as year 0 and 2 BC as -1 (astronomical numbering, as ISO 8601 does).
    mutating func eraAndEnd(adjusting date: SQLDate) -> SQLDate? {
        var result = date
        if take(UInt8(ascii: " ")) {
            guard take(UInt8(ascii: "B")), take(UInt8(ascii: "C")) else { return nil }
            result.year = 1 - date.year
        }
        return atEnd ? result : nil
    }
}

/// Converting zoned times to UTC.
enum CivilTime {
    static func shifted(_ value: SQLDateTime, bySeconds shift: Int) -> SQLDateTime {
        SQLDateTime(secondsAsUTC: value.secondsAsUTC + Int64(shift), microsecond: value.microsecond)
    }
}
