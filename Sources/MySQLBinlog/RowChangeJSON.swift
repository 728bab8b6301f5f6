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
///
/// ``RowChangeJSONWriter`` writes these lines into a byte buffer, a transaction at a time;
/// the functions here give one line or one value as text.
public enum RowChangeJSON {
    /// One line (no newline) for `change`. `columns` are the table map's columns, for the
    /// fractional-second precision of temporal values; without them fractions are shortest.
    public static func line(
        _ change: BinlogRowChange, columns: [BinlogColumn]?, position: BinlogPosition, gtid: String?,
        commitTimestamp: UInt32
    ) -> String {
        var writer = RowChangeJSONWriter()
        writer.transactionStarted(position: position, gtid: gtid, commitTimestamp: commitTimestamp)
        var out = ByteOutput()
        writer.append(change, to: &out) { columns }
        // The writer ends each line with a newline; one line has none.
        out.removeLast()
        return String(decoding: out.bytes, as: UTF8.self)
    }

    /// The JSON text of one value; nil when the column is absent from the image.
    public static func json(_ value: BinlogValue, column: BinlogColumn?) -> String? {
        var out = ByteOutput()
        let fraction = column.map { TemporalText.Fraction.digits($0.scale) } ?? .shortest
        let appended = withUnsafePointer(to: value) {
            append($0, holdsJSONText: column?.holdsJSONText == true, fraction: fraction, to: &out)
        }
        guard appended else { return nil }
        return String(decoding: out.bytes, as: UTF8.self)
    }

    /// Appends the JSON text of `value`; false (and nothing appended) when the column is
    /// absent from the image. `holdsJSONText`: a MariaDB JSON column, whose text is printed
    /// as the document; `fraction`: the fractional-second digits of temporal values.
    ///
    /// The value is read where it is (a row's values are not copied to be written: a copy of a
    /// value holding text is a retain and a release).
    static func append(
        _ value: UnsafePointer<BinlogValue>, holdsJSONText: Bool, fraction: TemporalText.Fraction,
        to out: inout ByteOutput
    ) -> Bool {
        switch value.pointee {
        case .absent: return false
        case .null: out.append("null")
        case .int(let number): ByteText.appendInteger(number, to: &out)
        case .uint(let number): ByteText.appendInteger(number, to: &out)
        case .float(let number): out.append(utf8: String(describing: number))
        case .double(let number): out.append(utf8: String(describing: number))
        case .decimal(let text): ByteText.appendQuoted(text, to: &out)
        case .text(let text):
            if holdsJSONText {
                out.append(utf8: jsonDocument(text))
            } else {
                ByteText.appendQuoted(text, to: &out)
            }
        case .bytes(let bytes):
            out.append(ByteText.quote)
            ByteText.appendBase64(bytes, to: &out)
            out.append(ByteText.quote)
        case .bits(let number, _): ByteText.appendInteger(number, to: &out)
        case .year(let year): ByteText.appendInteger(Int64(year), to: &out)
        case .date(let date):
            out.append(ByteText.quote)
            ByteText.appendDate(date, to: &out)
            out.append(ByteText.quote)
        case .time(let time):
            out.append(ByteText.quote)
            ByteText.appendTime(time, fraction: fraction, to: &out)
            out.append(ByteText.quote)
        case .dateTime(let value):
            out.append(ByteText.quote)
            ByteText.appendDateTime(value, fraction: fraction, to: &out)
            out.append(ByteText.quote)
        case .timestamp(let value):
            out.append(ByteText.quote)
            ByteText.appendDateTime(value, fraction: fraction, to: &out)
            // The zero timestamp is no instant: it prints as the zero date-time, without `Z`.
            if value.date.month != 0 { out.append(UInt8(ascii: "Z")) }
            out.append(ByteText.quote)
        case .json(let text): out.append(utf8: text)
        case .enumeration(let member): ByteText.appendQuoted(member, to: &out)
        case .enumIndex(let index): ByteText.appendInteger(Int64(index), to: &out)
        case .set(let members):
            out.append(UInt8(ascii: "["))
            for (index, member) in members.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                ByteText.appendQuoted(member, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .setBits(let bits): ByteText.appendInteger(bits, to: &out)
        }
        return true
    }

    /// A MariaDB JSON column's document as JSON, compact; text that is not JSON (the check can
    /// be dropped) stays a string rather than corrupting the line.
    static func jsonDocument(_ text: String) -> String {
        (try? SCIMValue(json: text).jsonString()) ?? quoted(text)
    }

    /// A JSON string literal (RFC 8259 §7).
    static func quoted(_ text: String) -> String {
        var out = ByteOutput()
        ByteText.appendQuoted(text, to: &out)
        return String(decoding: out.bytes, as: UTF8.self)
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` for seconds since 1970.
    static func utcText(seconds: Int64) -> String {
        TemporalText.dateTime(SQLDateTime(secondsAsUTC: seconds), separator: "T") + "Z"
    }
}
