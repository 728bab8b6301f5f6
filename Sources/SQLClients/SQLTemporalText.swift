import Directory

/// ISO 8601-style text for dates and times (`2024-03-01`, `13:45:00.25`,
/// `2024-03-01 13:45:00.250000`), the form PostgreSQL accepts as input and SQLite's date
/// functions understand.
enum SQLTemporalText {
    static func date(_ date: SQLDate) -> String {
        "\(pad(date.year, 4))-\(pad(date.month, 2))-\(pad(date.day, 2))"
    }

    /// A time of day; negative and beyond-24-hour durations keep their sign and hours.
    static func time(_ time: SQLTime) -> String {
        let clock = "\(pad(time.hours, 2)):\(pad(time.minutes, 2)):\(pad(time.seconds, 2))"
        return (time.negative ? "-" : "") + clock + fraction(time.microseconds)
    }

    static func dateTime(_ value: SQLDateTime) -> String {
        "\(date(value.date)) \(pad(value.hour, 2)):\(pad(value.minute, 2)):\(pad(value.second, 2))"
            + fraction(value.microsecond)
    }

    /// `.ffffff`, or nothing for whole seconds.
    private static func fraction(_ microseconds: Int) -> String {
        microseconds == 0 ? "" : "." + pad(microseconds, 6)
    }

    private static func pad(_ number: Int, _ width: Int) -> String {
        let digits = String(abs(number))
        let padded = String(repeating: "0", count: max(0, width - digits.count)) + digits
        return number < 0 ? "-" + padded : padded
    }
}
