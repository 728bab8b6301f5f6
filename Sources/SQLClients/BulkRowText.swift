import Directory

/// Rows as the tab-separated text that bulk loads read: MariaDB's `LOAD DATA` with its default
/// format, and PostgreSQL's `COPY … FROM STDIN` in its text format. Both read one line per
/// row, fields separated by tabs, NULL written `\N`, and a backslash escaping what follows;
/// the writers here escape every character either format gives a meaning to, so a value
/// comes back as it was sent.
///
/// - MariaDB (`LOAD DATA`, "FIELDS TERMINATED BY '\t' ENCLOSED BY '' ESCAPED BY '\\' LINES
///   TERMINATED BY '\n'" are the defaults): "occurrences of the ESCAPED BY character followed
///   by 0, b, n, r, t, Z or N" read as NUL, backspace, newline, carriage return, tab, Ctrl-Z
///   and NULL; any other escaped character reads as itself (MariaDB docs, "LOAD DATA INFILE").
/// - PostgreSQL (`COPY`, text format): "\b \f \n \r \t \v" and `\\` read as the character,
///   `\N` as NULL; "any other backslashed character that is not mentioned in the above table
///   will be taken to represent itself" (PostgreSQL docs, "COPY", File Formats, Text Format).
///   A text value cannot hold NUL in PostgreSQL at all; it is written `\0`, which COPY
///   refuses, as an INSERT would.
public enum BulkRowText {
    /// The databases whose text form a value is written in.
    public enum Format: Sendable {
        case loadData
        case copy
    }

    /// Appends `rows` to `out`, one line each; false (and `out` partly written) when a value has
    /// no text form here: bytes, bit strings, and in `LOAD DATA` doubles, whose text a
    /// column may round differently than a bound value.
    public static func append(_ rows: [[SQLValue]], format: Format, to out: inout [UInt8]) -> Bool {
        for row in rows {
            for (index, value) in row.enumerated() {
                if index > 0 { out.append(tab) }
                guard append(value, format: format, to: &out) else { return false }
            }
            out.append(newline)
        }
        return true
    }

    /// Appends one field; false when the value has no text form here.
    static func append(_ value: SQLValue, format: Format, to out: inout [UInt8]) -> Bool {
        switch value {
        case .null:
            out.append(backslash)
            out.append(UInt8(ascii: "N"))
        case .bool(let flag):
            switch format {
            case .loadData: out.append(UInt8(ascii: flag ? "1" : "0"))
            case .copy: out.append(UInt8(ascii: flag ? "t" : "f"))
            }
        case .int(let number):
            out.append(contentsOf: String(number).utf8)
        case .uint(let number):
            out.append(contentsOf: String(number).utf8)
        case .decimal(let text):
            out.append(contentsOf: text.utf8)
        case .text(let text), .json(let text):
            appendEscaped(text, to: &out)
        case .date(let date):
            out.append(contentsOf: TemporalText.date(date).utf8)
        case .time(let time):
            out.append(contentsOf: TemporalText.time(time, fraction: .microseconds).utf8)
        case .dateTime(let value):
            out.append(contentsOf: TemporalText.dateTime(value, fraction: .microseconds).utf8)
        case .timestamp(let value):
            // A MariaDB session of this module runs in UTC; PostgreSQL reads the offset.
            out.append(contentsOf: TemporalText.dateTime(value, fraction: .microseconds).utf8)
            if case .copy = format { out.append(contentsOf: "+00".utf8) }
        case .double, .bytes, .bits:
            return false
        }
        return true
    }

    private static let tab = UInt8(ascii: "\t")
    private static let newline = UInt8(ascii: "\n")
    private static let backslash = UInt8(ascii: "\\")

    /// The text's UTF-8 with backslash, tab, newline, carriage return and NUL escaped (the
    /// characters that would end a field or a line, or start an escape).
    static func appendEscaped(_ text: String, to out: inout [UInt8]) {
        for byte in text.utf8 {
            switch byte {
            case backslash: out.append(backslash); out.append(backslash)
            case tab: out.append(backslash); out.append(UInt8(ascii: "t"))
            case newline: out.append(backslash); out.append(UInt8(ascii: "n"))
            case UInt8(ascii: "\r"): out.append(backslash); out.append(UInt8(ascii: "r"))
            case 0: out.append(backslash); out.append(UInt8(ascii: "0"))
            default: out.append(byte)
            }
        }
    }
}
