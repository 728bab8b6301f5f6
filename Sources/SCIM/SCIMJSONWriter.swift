/// Writing a ``SCIMValue`` as JSON text (RFC 8259).
extension SCIMValue {
    /// The value as UTF-8 JSON. Compact unless `pretty`, which puts one member or element per
    /// line indented by two spaces. Object members keep their order.
    ///
    /// Decimals print in the shortest form that reads back to the same `Double`, always with a
    /// fraction or exponent (`1.0`, `1e+16`) so they read back as decimals, not integers.
    /// JSON has no NaN or infinity: a non-finite decimal is written as `null`.
    public func jsonBytes(pretty: Bool = false) -> [UInt8] {
        var writer = JSONWriter(pretty: pretty)
        writer.write(self, indent: 0)
        return writer.out
    }

    /// The value as JSON text; see ``jsonBytes(pretty:)``.
    public func jsonString(pretty: Bool = false) -> String {
        String(decoding: jsonBytes(pretty: pretty), as: UTF8.self)
    }
}

extension SCIMObject {
    /// The object as JSON text; see ``SCIMValue/jsonString(pretty:)``.
    public func jsonString(pretty: Bool = false) -> String { SCIMValue.object(self).jsonString(pretty: pretty) }

    /// The object as UTF-8 JSON; see ``SCIMValue/jsonBytes(pretty:)``.
    public func jsonBytes(pretty: Bool = false) -> [UInt8] { SCIMValue.object(self).jsonBytes(pretty: pretty) }
}

struct JSONWriter {
    var out: [UInt8] = []
    let pretty: Bool

    init(pretty: Bool) {
        self.pretty = pretty
        out.reserveCapacity(256)
    }

    mutating func write(_ value: SCIMValue, indent: Int) {
        switch value {
        case .null: append("null")
        case .bool(let b): append(b ? "true" : "false")
        case .integer(let n): writeInteger(n)
        case .decimal(let d):
            if d.isFinite { out.append(contentsOf: d.description.utf8) } else { append("null") }
        case .string(let s): writeString(s)
        case .array(let elements):
            if elements.isEmpty {
                append("[]")
                return
            }
            out.append(Byte.openBracket)
            for (k, element) in elements.enumerated() {
                if k > 0 { out.append(Byte.comma) }
                newline(indent + 1)
                write(element, indent: indent + 1)
            }
            newline(indent)
            out.append(Byte.closeBracket)
        case .object(let object):
            if object.isEmpty {
                append("{}")
                return
            }
            out.append(Byte.openBrace)
            for (k, member) in object.members.enumerated() {
                if k > 0 { out.append(Byte.comma) }
                newline(indent + 1)
                writeString(member.key)
                out.append(Byte.colon)
                if pretty { out.append(0x20) }
                write(member.value, indent: indent + 1)
            }
            newline(indent)
            out.append(Byte.closeBrace)
        }
    }

    private mutating func newline(_ indent: Int) {
        guard pretty else { return }
        out.append(0x0A)
        out.append(contentsOf: repeatElement(0x20, count: 2 * indent))
    }

    private mutating func append(_ literal: StaticString) {
        out.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    private mutating func writeInteger(_ n: Int64) {
        if n < 0 { out.append(Byte.minus) }
        // Work on the magnitude as UInt64 so that Int64.min needs no special case.
        var m = n.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = 20
            repeat {
                start -= 1
                digits[start] = Byte.zero + UInt8(m % 10)
                m /= 10
            } while m > 0
            out.append(contentsOf: digits[start...])
        }
    }

    /// RFC 8259 §7: `"` and `\` must be escaped, and so must U+0000–U+001F; `/` need not be
    /// and is left alone (URLs in `$ref` and `meta.location` stay readable).
    private mutating func writeString(_ s: String) {
        out.append(Byte.quote)
        var text = s
        // On the contiguous UTF-8 bytes: a run without escapes is one copy, not a walk of the
        // string's view byte by byte (that walk was a tenth of a feed run's planning).
        text.withUTF8 { utf8 in
            var runStart = 0
            for index in utf8.indices {
                let b = utf8[index]
                guard b == Byte.quote || b == Byte.backslash || b < 0x20 else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                out.append(Byte.backslash)
                switch b {
                case Byte.quote, Byte.backslash: out.append(b)
                case 0x08: out.append(Byte.b)
                case 0x0C: out.append(Byte.f)
                case 0x0A: out.append(Byte.n)
                case 0x0D: out.append(Byte.r)
                case 0x09: out.append(Byte.t)
                default:
                    let low = b & 0xF
                    out.append(contentsOf: [Byte.u, Byte.zero, Byte.zero, Byte.zero + b >> 4])
                    out.append(low < 10 ? Byte.zero + low : UInt8(ascii: "a") + low - 10)
                }
                runStart = index + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        out.append(Byte.quote)
    }
}
