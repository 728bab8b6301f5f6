/// Text forms of SQL dates and times: `2024-03-01`, `-838:59:59.5`, `2024-03-01 13:45:00.25`.
/// One implementation for the SCIM conversions, the database clients (PostgreSQL and SQLite
/// take these as input) and `scimsync tail`.
public enum TemporalText {
    /// How many fractional-second digits to print.
    public enum Fraction: Sendable, Hashable {
        /// As few as the value needs: none for whole seconds, trailing zeros dropped (`.5`).
        case shortest
        /// Six digits when there is a fraction, none for whole seconds: a fixed width that
        /// keeps SQLite's text timestamps in order.
        case microseconds
        /// Exactly this many (0 to 6; 0 prints none), as a column of that precision shows them.
        case digits(Int)
    }

    /// `YYYY-MM-DD`; the zero date prints as `0000-00-00`.
    public static func date(_ date: SQLDate) -> String {
        pad(date.year, 4) + "-" + pad(date.month, 2) + "-" + pad(date.day, 2)
    }

    /// `[-]HH:MM:SS[.f]`: a time of day or a duration, keeping its sign and hours beyond 24.
    public static func time(_ time: SQLTime, fraction: Fraction = .shortest) -> String {
        (time.negative ? "-" : "") + pad(time.hours, 2) + ":" + pad(time.minutes, 2) + ":" + pad(time.seconds, 2)
            + fractionText(time.microseconds, fraction)
    }

    /// `YYYY-MM-DD HH:MM:SS[.f]`, or with `separator: "T"` the RFC 3339 form without offset.
    public static func dateTime(_ value: SQLDateTime, separator: String = " ", fraction: Fraction = .shortest) -> String {
        date(value.date) + separator + pad(value.hour, 2) + ":" + pad(value.minute, 2) + ":" + pad(value.second, 2)
            + fractionText(value.microsecond, fraction)
    }

    private static func fractionText(_ microseconds: Int, _ fraction: Fraction) -> String {
        switch fraction {
        case .shortest:
            guard microseconds > 0 else { return "" }
            var digits = pad(microseconds, 6)
            while digits.last == "0" { digits.removeLast() }
            return "." + digits
        case .microseconds:
            return microseconds > 0 ? "." + pad(microseconds, 6) : ""
        case .digits(let count):
            guard count > 0 else { return "" }
            return "." + pad(microseconds, 6).prefix(min(count, 6))
        }
    }

    private static func pad(_ number: Int, _ width: Int) -> String {
        let digits = String(number.magnitude)
        let padded = digits.count < width ? String(repeating: "0", count: width - digits.count) + digits : digits
        return number < 0 ? "-" + padded : padded
    }
}
