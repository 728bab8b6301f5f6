/// An instant parsed from an RFC 3339 `date-time` (§5.6), the form SCIM's `dateTime` values take
/// (RFC 7643 §2.3.5), used to compare timestamps chronologically rather than as text:
/// `2011-05-13T06:42:34+02:00` and `2011-05-13T04:42:34Z` are the same instant.
///
///     date-time    = full-date "T" full-time
///     full-date    = date-fullyear "-" date-month "-" date-mday
///     full-time    = partial-time time-offset
///     partial-time = time-hour ":" time-minute ":" time-second [time-secfrac]
///     time-secfrac = "." 1*DIGIT
///     time-offset  = "Z" / ("+" / "-") time-hour ":" time-minute
///
/// RFC 3339 §5.6 NOTE allows "t" and "z" in lower case; a leap second (`:60`) counts as the
/// first second of the next minute. Fractions are kept to 18 digits (attoseconds).
public struct SCIMDateTime: Sendable, Hashable, Comparable {
    /// Seconds since 1970-01-01T00:00:00Z.
    public var secondsSinceEpoch: Int64
    /// Fraction of the second, in units of 10⁻¹⁸ s.
    public var attoseconds: Int64

    public init(secondsSinceEpoch: Int64, attoseconds: Int64 = 0) {
        self.secondsSinceEpoch = secondsSinceEpoch
        self.attoseconds = attoseconds
    }

    public static func < (lhs: SCIMDateTime, rhs: SCIMDateTime) -> Bool {
        (lhs.secondsSinceEpoch, lhs.attoseconds) < (rhs.secondsSinceEpoch, rhs.attoseconds)
    }

    /// The instant `text` denotes, or nil when it is not an RFC 3339 date-time.
    public init?(rfc3339 text: String) {
        var reader = DigitReader(Array(text.utf8))
        guard let year = reader.digits(4), reader.take("-"),
            let month = reader.digits(2), reader.take("-"),
            let day = reader.digits(2),
            reader.take("T") || reader.take("t"),
            let hour = reader.digits(2), reader.take(":"),
            let minute = reader.digits(2), reader.take(":"),
            let second = reader.digits(2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= GregorianCalendar.daysInMonth(year: year, month: month),
            hour <= 23, minute <= 59, second <= 60
        else { return nil }

        var attoseconds: Int64 = 0
        if reader.take(".") {
            var count = 0
            var scale: Int64 = 100_000_000_000_000_000
            while let d = reader.digit() {
                if count < 18 {
                    attoseconds += Int64(d) * scale
                    scale /= 10
                }
                count += 1
            }
            guard count > 0 else { return nil }
        }

        var offsetSeconds: Int64 = 0
        if reader.take("Z") || reader.take("z") {
            offsetSeconds = 0
        } else {
            let sign: Int64
            if reader.take("+") {
                sign = 1
            } else if reader.take("-") {
                sign = -1
            } else {
                return nil
            }
            guard let oh = reader.digits(2), reader.take(":"), let om = reader.digits(2), oh <= 23, om <= 59 else {
                return nil
            }
            offsetSeconds = sign * Int64(oh * 3600 + om * 60)
        }
        guard reader.isAtEnd else { return nil }

        let days = GregorianCalendar.days(year: year, month: month, day: day)
        let local = days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        self.secondsSinceEpoch = local - offsetSeconds
        self.attoseconds = attoseconds
    }

}

/// Bounds-checked reader of ASCII digits and punctuation.
private struct DigitReader {
    let bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { index == bytes.count }

    mutating func take(_ c: Unicode.Scalar) -> Bool {
        guard index < bytes.count, bytes[index] == UInt8(c.value) else { return false }
        index += 1
        return true
    }

    mutating func digit() -> Int? {
        guard index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 else { return nil }
        defer { index += 1 }
        return Int(bytes[index] - 0x30)
    }

    /// Exactly `count` digits as a number.
    mutating func digits(_ count: Int) -> Int? {
        var value = 0
        for _ in 0..<count {
            guard let d = digit() else { return nil }
            value = value * 10 + d
        }
        return value
    }
}
