/// Canonical text of filters and attribute paths: lower-case keywords, one blank between
/// tokens, JSON values, and only the parentheses the tree needs.
///
/// Grouping leaves no trace in the tree, so the printer must put back exactly the parentheses
/// that make `Filter.parse(f.description) == f`. With `or` < `and` < `not`/atoms and both binary
/// operators left-associative, a child needs parentheses when it binds more loosely than its
/// parent, and a right child also when it binds equally: `.and(.or(a, b), c)` prints
/// `(a or b) and c`, `.and(a, .and(b, c))` prints `a and (b and c)`.

extension Filter: CustomStringConvertible {
    public var description: String {
        var out = ""
        write(to: &out)
        return out
    }

    /// Binding strength in the grammar: `or` 1, `and` 2, everything else 3.
    private var precedence: Int {
        switch self {
        case .or: return 1
        case .and: return 2
        case .compare, .present, .not, .valuePath: return 3
        }
    }

    fileprivate func write(to out: inout String) {
        switch self {
        case .compare(let path, let op, let value):
            path.write(to: &out)
            out += " " + op.rawValue + " "
            value.writeFilterLiteral(to: &out)
        case .present(let path):
            path.write(to: &out)
            out += " pr"
        case .and(let left, let right):
            writeBinary(left, "and", right, to: &out)
        case .or(let left, let right):
            writeBinary(left, "or", right, to: &out)
        case .not(let inner):
            out += "not ("
            inner.write(to: &out)
            out += ")"
        case .valuePath(let path, let inner):
            path.write(to: &out)
            out += "["
            inner.write(to: &out)
            out += "]"
        }
    }

    private func writeBinary(_ left: Filter, _ keyword: String, _ right: Filter, to out: inout String) {
        left.writeOperand(parenthesized: left.precedence < precedence, to: &out)
        out += " " + keyword + " "
        right.writeOperand(parenthesized: right.precedence <= precedence, to: &out)
    }

    private func writeOperand(parenthesized: Bool, to out: inout String) {
        if parenthesized { out += "(" }
        write(to: &out)
        if parenthesized { out += ")" }
    }
}

extension AttributePath: CustomStringConvertible {
    /// `schema:attribute[filter].subAttribute`, each part only when present.
    public var description: String {
        var out = ""
        write(to: &out)
        return out
    }

    fileprivate func write(to out: inout String) {
        if let schema { out += schema + ":" }
        out += attribute
        if let valueFilter {
            out += "["
            valueFilter.write(to: &out)
            out += "]"
        }
        if let subAttribute { out += "." + subAttribute }
    }
}

extension SCIMValue {
    /// The value as a filter's `compValue` (JSON). Arrays and objects are not compValues; they
    /// print as JSON for diagnostics only and do not parse back.
    fileprivate func writeFilterLiteral(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .integer(let n): out += String(n)
        case .decimal(let d): out += Self.decimalLiteral(d)
        case .string(let s): Self.writeJSONString(s, to: &out)
        case .array(let elements):
            out += "["
            for (i, e) in elements.enumerated() {
                if i > 0 { out += "," }
                e.writeFilterLiteral(to: &out)
            }
            out += "]"
        case .object(let object):
            out += "{"
            for (i, member) in object.members.enumerated() {
                if i > 0 { out += "," }
                Self.writeJSONString(member.key, to: &out)
                out += ":"
                member.value.writeFilterLiteral(to: &out)
            }
            out += "}"
        }
    }

    /// A decimal that parses back to the same `Double` and never as an integer.
    ///
    /// Swift's `description` is the shortest text that round-trips (`0.1`, `1e-05`,
    /// `1.7976931348623157e+308`) and always has a `.` or an exponent (`1.0`, `1e+16`), which
    /// JSON accepts as written. JSON has no infinity or NaN; they print as `null`.
    fileprivate static func decimalLiteral(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        let text = d.description
        if text.utf8.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") }) {
            return text
        }
        return text + ".0"
    }

    /// RFC 7159 §7 string: quote, backslash and control characters escaped, the rest as is.
    fileprivate static func writeJSONString(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
