/// The time zone in which a database's wall-clock columns (MySQL DATETIME, PostgreSQL
/// `timestamp without time zone`, SQL Server `datetime2`) are read and written.
///
/// Such a column stores no zone, so `2024-03-01 09:00:00` means nothing until the layout
/// says where the clock hangs. The default is UTC. The zone is a function from an instant to
/// its offset, which keeps this module free of time-zone databases: a fixed offset is built
/// here, and a named zone (`Europe/Berlin`) is built by whoever can read tzdata, with
/// ``init(identifier:secondsFromUTC:)``.
public struct WallClockZone: Sendable, Hashable, CustomStringConvertible {
    /// A stable name: `UTC`, `+02:00`, or the IANA name given by the caller. Two zones with
    /// the same identifier are equal.
    public let identifier: String
    private let offsetAtInstant: @Sendable (Int64) -> Int

    /// A zone named `identifier` whose offset east of UTC, in seconds, at a UTC instant
    /// (seconds since 1970) is `secondsFromUTC(instant)`.
    public init(identifier: String, secondsFromUTC: @escaping @Sendable (_ instant: Int64) -> Int) {
        self.identifier = identifier
        self.offsetAtInstant = secondsFromUTC
    }

    public static let utc = WallClockZone(identifier: "UTC") { _ in 0 }

    /// A zone at a constant offset east of UTC, named like `+02:00` or `-05:30`.
    public static func fixed(secondsFromUTC offset: Int) -> WallClockZone {
        if offset == 0 { return .utc }
        let sign = offset < 0 ? "-" : "+"
        let minutes = abs(offset) / 60
        let name = sign + twoDigits(minutes / 60) + ":" + twoDigits(minutes % 60)
        return WallClockZone(identifier: name) { _ in offset }
    }

    /// Parses a fixed zone: `UTC`, `Z`, or an offset `±HH:MM` / `±HHMM` / `±HH` up to 18 hours.
    /// Returns nil for anything else (named zones need a time-zone database).
    public init?(fixedOffset text: String) {
        if text.caseInsensitiveEquals("UTC") || text.caseInsensitiveEquals("Z") {
            self = .utc
            return
        }
        guard let sign = text.first, sign == "+" || sign == "-" else { return nil }
        let rest = Array(text.dropFirst())
        let digits: [Character]
        switch rest.count {
        case 2, 4: digits = rest
        case 5 where rest[2] == ":": digits = Array(rest[0..<2] + rest[3...])
        default: return nil
        }
        guard digits.allSatisfy(\.isASCIIDigit) else { return nil }
        let hours = Int(String(digits.prefix(2)))!
        let minutes = digits.count == 4 ? Int(String(digits.suffix(2)))! : 0
        guard hours <= 18, minutes < 60 else { return nil }
        let offset = (hours * 3600 + minutes * 60) * (sign == "-" ? -1 : 1)
        self = .fixed(secondsFromUTC: offset)
    }

    /// The offset east of UTC, in seconds, at a UTC instant.
    public func secondsFromUTC(atInstant instant: Int64) -> Int {
        offsetAtInstant(instant)
    }

    /// The offset east of UTC, in seconds, that applies to a wall-clock time (seconds since
    /// 1970 as if the wall clock were UTC).
    ///
    /// Around a DST change a wall-clock time can be ambiguous (it happens twice) or missing
    /// (it never happens). As in java.time's `ZonedDateTime.ofLocal`, an ambiguous time takes
    /// the earlier of its two instants, and a missing time takes the offset from before the
    /// change, which moves it forward by the length of the gap.
    public func secondsFromUTC(atWallClock local: Int64) -> Int {
        let day: Int64 = 86_400
        let before = offsetAtInstant(local - day)
        let after = offsetAtInstant(local + day)
        let consistent = [before, after].filter { offsetAtInstant(local - Int64($0)) == $0 }
        // Of two valid offsets, the larger one gives the earlier instant.
        return consistent.max() ?? before
    }

    public var description: String { identifier }

    public static func == (lhs: WallClockZone, rhs: WallClockZone) -> Bool {
        lhs.identifier == rhs.identifier
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(identifier)
    }
}

func twoDigits(_ n: Int) -> String {
    n < 10 ? "0\(n)" : "\(n)"
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
