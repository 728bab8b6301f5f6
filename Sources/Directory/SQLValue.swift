/// A column value as it comes out of (or goes into) a SQL database, independent of the
/// database: the binlog decoder, the snapshot readers and the SQL targets all speak it.
public enum SQLValue: Sendable, Hashable {
    case null
    /// A SQL boolean (PostgreSQL boolean, SQL Server bit).
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    /// DECIMAL/NUMERIC as exact text with the column's scale, e.g. `"12.50"`.
    case decimal(String)
    case text(String)
    case bytes([UInt8])
    /// BIT(n), right-aligned.
    case bits(UInt64, width: Int)
    case date(SQLDate)
    case time(SQLTime)
    /// A wall-clock date and time without zone (MySQL DATETIME, PostgreSQL timestamp).
    case dateTime(SQLDateTime)
    /// An instant (MySQL TIMESTAMP, PostgreSQL timestamptz), in UTC.
    case timestamp(SQLDateTime)
    /// JSON document text.
    case json(String)
}

/// A calendar date. Zero dates (`0000-00-00`) are representable because MySQL allows them.
public struct SQLDate: Sendable, Hashable {
    public var year: Int
    public var month: Int
    public var day: Int
    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }
}

/// A time of day or a duration (MySQL TIME ranges over ±838:59:59).
public struct SQLTime: Sendable, Hashable {
    public var negative: Bool
    public var hours: Int
    public var minutes: Int
    public var seconds: Int
    public var microseconds: Int
    public init(negative: Bool = false, hours: Int, minutes: Int, seconds: Int, microseconds: Int = 0) {
        self.negative = negative
        self.hours = hours
        self.minutes = minutes
        self.seconds = seconds
        self.microseconds = microseconds
    }
}

/// A date and time with microseconds.
public struct SQLDateTime: Sendable, Hashable {
    public var date: SQLDate
    public var hour: Int
    public var minute: Int
    public var second: Int
    public var microsecond: Int
    public init(date: SQLDate, hour: Int, minute: Int, second: Int, microsecond: Int = 0) {
        self.date = date
        self.hour = hour
        self.minute = minute
        self.second = second
        self.microsecond = microsecond
    }
}
