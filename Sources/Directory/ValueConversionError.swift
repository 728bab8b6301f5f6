import SCIM

/// A column value that cannot become the SCIM value its attribute needs, or the reverse.
///
/// The description names the column and what was expected, never the value: values are
/// personal data (names, e-mail addresses) and end up in logs.
public struct ValueConversionError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        /// The value spells no boolean scimsync knows; `kind` names what it is (`text`,
        /// `decimal`, `string` ...), never the value.
        case notBoolean(kind: String)
        /// The value is not a whole number, or not one that fits 64 bits.
        case notInteger
        /// The value is not a decimal number, or is infinite or NaN.
        case notDecimal
        /// The value is not a date-time scimsync can read (RFC 3339, or SQL's
        /// `YYYY-MM-DD HH:MM:SS`), or names an impossible date.
        case notDateTime
        /// Bytes meant as text are not valid UTF-8.
        case notUTF8
        /// Text meant as SCIM `binary` is not base64.
        case notBase64
        /// Text meant for a UUID column is not a UUID.
        case notUUID
        /// A negative number for an unsigned column.
        case negativeForUnsigned
        /// Text longer than the column's declared length (lengths in characters).
        case tooLong(length: Int, maxLength: Int)
        /// The SQL value's kind (e.g. `time`, `json`) cannot become this SCIM data type.
        case unsupportedSQLValue(kind: String, scimType: AttributeDefinition.DataType)
        /// The SCIM value's kind (e.g. `object`) cannot go into this kind of column.
        case unsupportedSCIMValue(kind: String, column: ColumnType)
    }

    /// The column, as the layout names it.
    public var column: String
    public var reason: Reason

    public init(column: String, reason: Reason) {
        self.column = column
        self.reason = reason
    }

    public var description: String {
        let what: String
        switch reason {
        case .notBoolean(let kind):
            what =
                "the \(kind) value is not a boolean (expected true/false, Y/N, T/F, or a whole number:"
                + " 0 is false, any other true)"
        case .notInteger:
            what = "the value is not a whole number that fits 64 bits"
        case .notDecimal:
            what = "the value is not a finite decimal number"
        case .notDateTime:
            what = "the value is not a valid date-time (expected RFC 3339 such as 2024-03-01T09:00:00Z)"
        case .notUTF8:
            what = "the bytes are not valid UTF-8 text"
        case .notBase64:
            what = "the value is not base64, which SCIM binary attributes need"
        case .notUUID:
            what = "the value is not a UUID"
        case .negativeForUnsigned:
            what = "a negative number cannot go into an unsigned column"
        case .tooLong(let length, let maxLength):
            what = "the text has \(length) characters but the column holds at most \(maxLength); widen the column"
        case .unsupportedSQLValue(let kind, let scimType):
            what = "a SQL \(kind) value cannot become a SCIM \(scimType.rawValue); map the column to another attribute"
        case .unsupportedSCIMValue(let kind, let column):
            what = "a SCIM \(kind) cannot be stored in a \(column.name) column; change the column type or the map"
        }
        return "column \"\(column)\": \(what)"
    }
}

extension ValueConversionError {
    /// What was wrong, for a SCIM client: the kinds of value involved, neither the table and
    /// column nor the operator's fix (those are the server log's, in ``description``).
    public var clientDescription: String {
        switch reason {
        case .notBoolean: "a value is not a boolean"
        case .notInteger: "a value is not a whole number that fits 64 bits"
        case .notDecimal: "a value is not a finite decimal number"
        case .notDateTime: "a value is not a valid date-time (RFC 3339, such as 2024-03-01T09:00:00Z)"
        case .notUTF8: "a value is not valid UTF-8 text"
        case .notBase64: "a value is not base64, which SCIM binary attributes need"
        case .notUUID: "a value is not a UUID"
        case .negativeForUnsigned: "a value must not be negative"
        case .tooLong(let length, let maxLength): "a text has \(length) characters; at most \(maxLength) are kept"
        case .unsupportedSQLValue: "a stored value cannot be read as its attribute's type"
        case .unsupportedSCIMValue(let kind, let column): "a SCIM \(kind) was sent where a \(column.name) value belongs"
        }
    }
}

extension ColumnType {
    /// A short name for messages.
    var name: String {
        switch self {
        case .integer(let unsigned): unsigned ? "unsigned integer" : "integer"
        case .boolean(let style):
            switch style {
            case .native: "boolean"
            case .tinyInt: "TINYINT(1) boolean"
            case .bit: "BIT(1) boolean"
            case .yesNo: "CHAR(1) Y/N boolean"
            }
        case .decimal: "decimal"
        case .double: "floating-point"
        case .text: "text"
        case .date: "date"
        case .dateTime: "date-time"
        case .timestamp: "timestamp"
        case .uuid: "UUID"
        case .json: "JSON"
        case .bytes: "binary"
        case .unknown(let type): type
        }
    }
}
