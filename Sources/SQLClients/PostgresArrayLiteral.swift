import Directory

/// PostgreSQL's text form of a one-dimensional array (PostgreSQL docs, "Array Value Input"):
/// `{"a","b",NULL}`. Every element is double-quoted, with `"` and `\` escaped by a backslash,
/// so that no element text is read as anything else (a comma, a brace, leading spaces, the
/// word NULL); SQL NULL is the unquoted `NULL`.
///
/// An element is each value's text as ``PostgresConnection/query(_:_:)`` would bind it; the
/// array's element type, named by the statement's cast, reads it with that type's input
/// function, so a value goes in as it would through a marker of the column's type.
public enum PostgresArrayLiteral {
    /// The array of `values`, in order.
    public static func text(_ values: some Sequence<SQLValue>) -> String {
        var out: [UInt8] = [UInt8(ascii: "{")]
        out.reserveCapacity(256)
        var first = true
        for value in values {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            guard let text = PostgresParameter(value).text else {
                out.append(contentsOf: "NULL".utf8)
                continue
            }
            out.append(UInt8(ascii: "\""))
            for byte in text.utf8 {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
                out.append(byte)
            }
            out.append(UInt8(ascii: "\""))
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }
}
