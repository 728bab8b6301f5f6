import Directory
import SCIM

/// The JSON line `scimsync tail` prints for each decoded row change:
///
///     {"table":"db.tbl","op":"update","before":{...},"after":{...},
///      "position":"binlog.000003:1234","gtid":"0-1-42","ts":"2026-11-23T05:44:51Z"}
///
/// Values keep what the column holds exactly: integers as JSON integers (BIGINT UNSIGNED
/// too, which is why this writes text rather than going through `SCIMValue`, whose integers
/// are 64-bit signed), DECIMAL as a string with the column's scale, FLOAT/DOUBLE as numbers,
/// BIT and YEAR as integers, dates and times as text with as many fractional digits as the
/// column's precision, TIMESTAMP in UTC with `Z`, binary as base64, ENUM as its member, SET
/// as an array of members, JSON as the JSON value itself.
public enum RowChangeJSON {
    /// One line (no newline) for `change`. `columns` are the table map's columns, for the
    /// fractional-second precision of temporal values; without them fractions are shortest.
    public static func line(
        _ change: BinlogRowChange, columns: [BinlogColumn]?, position: BinlogPosition, gtid: String?,
        commitTimestamp: UInt32
    ) -> String {
        var out = "{\"table\":"
        out += quoted(change.schema + "." + change.table)
        out += ",\"op\":\"" + change.kind.rawValue + "\",\"before\":"
        out += change.before.map { image($0, change: change, columns: columns) } ?? "null"
        out += ",\"after\":"
        out += change.after.map { image($0, change: change, columns: columns) } ?? "null"
        out += ",\"position\":" + quoted(position.description)
        out += ",\"gtid\":" + (gtid.map(quoted) ?? "null")
        out += ",\"ts\":\"" + utcText(seconds: Int64(commitTimestamp)) + "\"}"
        return out
    }

    /// A row image as an object of column name to value; columns absent from a partial
    /// image are left out.
    static func image(_ values: [BinlogValue], change: BinlogRowChange, columns: [BinlogColumn]?) -> String {
        var out = "{"
        var first = true
        for (index, value) in values.enumerated() {
            let column = columns.flatMap { index < $0.count ? $0[index] : nil }
            guard let text = json(value, column: column) else { continue }
            if !first { out += "," }
            first = false
            out += quoted(index < change.columns.count ? change.columns[index] : "@\(index + 1)")
            out += ":" + text
        }
        return out + "}"
    }

    /// The JSON text of one value; nil when the column is absent from the image.
    public static func json(_ value: BinlogValue, column: BinlogColumn?) -> String? {
        let fraction = column.map { TemporalText.Fraction.digits($0.scale) } ?? .shortest
        switch value {
        case .absent: return nil
        case .null: return "null"
        case .int(let number): return String(number)
        case .uint(let number): return String(number)
        case .float(let number): return String(describing: number)
        case .double(let number): return String(describing: number)
        case .decimal(let text): return quoted(text)
        case .text(let text): return column?.holdsJSONText == true ? jsonDocument(text) : quoted(text)
        case .bytes(let bytes): return quoted(Base64.encode(bytes))
        case .bits(let number, _): return String(number)
        case .year(let year): return String(year)
        case .date(let date): return quoted(TemporalText.date(date))
        case .time(let time): return quoted(TemporalText.time(time, fraction: fraction))
        case .dateTime(let value): return quoted(TemporalText.dateTime(value, separator: "T", fraction: fraction))
        case .timestamp(let value):
            let text = TemporalText.dateTime(value, separator: "T", fraction: fraction)
            // The zero timestamp is no instant: it prints as the zero date-time, without `Z`.
            return quoted(value.date.month == 0 ? text : text + "Z")
        case .json(let text): return text
        case .enumeration(let member): return quoted(member)
        case .enumIndex(let index): return String(index)
        case .set(let members): return "[" + members.map(quoted).joined(separator: ",") + "]"
        case .setBits(let bits): return String(bits)
        }
    }

    /// A MariaDB JSON column's document as JSON, compact; text that is not JSON (the check can
    /// be dropped) stays a string rather than corrupting the line.
    static func jsonDocument(_ text: String) -> String {
        (try? SCIMValue(json: text).jsonString()) ?? quoted(text)
    }

    /// A JSON string literal (RFC 8259 §7), escaped by the SCIM JSON writer.
    static func quoted(_ text: String) -> String {
        // RFC 8259 section 7: only the quotation mark, the reverse solidus and the control
        // characters U+0000 to U+001F must be escaped. Most names and values have none, and
        // are quoted as they are, without the JSON writer's buffer (a third of tail's time).
        let plain = text.utf8.allSatisfy { $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
        return plain ? "\"" + text + "\"" : SCIMValue.string(text).jsonString()
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` for seconds since 1970.
    static func utcText(seconds: Int64) -> String {
        TemporalText.dateTime(SQLDateTime(secondsAsUTC: seconds), separator: "T") + "Z"
    }
}
