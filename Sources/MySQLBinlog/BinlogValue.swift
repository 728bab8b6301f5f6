import Directory

/// A column value decoded from a row image.
///
/// It is ``Directory/SQLValue`` plus what a binlog says more precisely: FLOAT apart from
/// DOUBLE (so 1.1 stays 1.1), YEAR, ENUM members, SET members as a list, and columns absent from
/// a partial row image. ``sqlValue`` maps it onto `SQLValue`.
public enum BinlogValue: Sendable, Hashable {
    case null
    /// The column is not in this row image (`binlog_row_image=MINIMAL` or `NOBLOB`); it is not NULL.
    case absent
    case int(Int64)
    case uint(UInt64)
    case float(Float)
    case double(Double)
    /// DECIMAL as exact text with the column's scale, e.g. `"-12.50"`.
    case decimal(String)
    case text(String)
    case bytes([UInt8])
    /// BIT(n), right-aligned.
    case bits(UInt64, width: Int)
    /// YEAR; 0 is the zero year `0000`.
    case year(Int)
    case date(SQLDate)
    case time(SQLTime)
    /// DATETIME: wall-clock, no zone.
    case dateTime(SQLDateTime)
    /// TIMESTAMP, in UTC; the zero timestamp has the zero date.
    case timestamp(SQLDateTime)
    /// JSON document text (MySQL binary JSON rendered as MySQL prints it).
    case json(String)
    /// An ENUM member; `""` is MySQL's error value (index 0).
    case enumeration(String)
    /// An ENUM index (1-based) when the TABLE_MAP carried no member names.
    case enumIndex(Int)
    /// SET members in definition order.
    case set([String])
    /// A SET bitmask when the TABLE_MAP carried no member names.
    case setBits(UInt64)

    /// The value as a ``Directory/SQLValue``: FLOAT becomes the DOUBLE with the same shortest
    /// decimal text (1.1 stays 1.1), YEAR and ENUM indexes integers, ENUM members text, SET
    /// members comma-separated text as MySQL returns them. `absent` has no `SQLValue`: nil.
    public var sqlValue: SQLValue? {
        switch self {
        case .null: .null
        case .absent: nil
        case .int(let value): .int(value)
        case .uint(let value): .uint(value)
        case .float(let value): .double(Double("\(value)") ?? Double(value))
        case .double(let value): .double(value)
        case .decimal(let text): .decimal(text)
        case .text(let text): .text(text)
        case .bytes(let bytes): .bytes(bytes)
        case .bits(let value, let width): .bits(value, width: width)
        case .year(let year): .int(Int64(year))
        case .date(let date): .date(date)
        case .time(let time): .time(time)
        case .dateTime(let value): .dateTime(value)
        case .timestamp(let value): .timestamp(value)
        case .json(let text): .json(text)
        case .enumeration(let member): .text(member)
        case .enumIndex(let index): .int(Int64(index))
        case .set(let members): .text(members.joined(separator: ","))
        case .setBits(let bits): .uint(bits)
        }
    }
}
