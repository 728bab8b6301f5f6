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
        out.reserveCapacity(1024)
        var first = true
        for value in values {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            // Text as it is, without the parameter's copy; NULL has no text.
            let text: String?
            switch value {
            case .text(let value), .json(let value): text = value
            default: text = PostgresParameter(value).text
            }
            guard var text else {
                out.append(contentsOf: "NULL".utf8)
                continue
            }
            text.withUTF8 { appendQuoted($0, to: &out) }
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    private static func appendQuoted(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        out.append(quote)
        var start = 0
        for (index, byte) in bytes.enumerated() where byte == quote || byte == backslash {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
            out.append(backslash)
            start = index
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
        out.append(quote)
    }
}
