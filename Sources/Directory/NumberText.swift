/// Numbers as decimal text, the form both SQL DECIMAL literals and SCIM strings use.
enum NumberText {
    /// The shortest text that reads back as `value`, without exponent: `0.00001`, not `1e-05`;
    /// integral values without a fraction (`2`, not `2.0`). Nil for infinities and NaN, which
    /// neither SQL DECIMAL nor JSON can hold.
    static func plain(_ value: Double) -> String? {
        guard value.isFinite else { return nil }
        if value == 0 { return "0" }
        let text = value.description
        let negative = text.hasPrefix("-")
        let unsigned = negative ? String(text.dropFirst()) : text
        let mantissa: Substring
        var exponent = 0
        if let e = unsigned.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = unsigned[..<e]
            exponent = Int(unsigned[unsigned.index(after: e)...])!
        } else {
            mantissa = Substring(unsigned)
        }
        var integerDigits = String(mantissa.prefix { $0 != "." })
        var fractionDigits = mantissa.contains(".") ? String(mantissa.drop { $0 != "." }.dropFirst()) : ""
        // Move the decimal point by the exponent.
        if exponent > 0 {
            let moved = fractionDigits.prefix(exponent)
            integerDigits += moved + String(repeating: "0", count: exponent - moved.count)
            fractionDigits = String(fractionDigits.dropFirst(moved.count))
        } else if exponent < 0 {
            let shift = -exponent
            let padded = String(repeating: "0", count: max(0, shift - integerDigits.count)) + integerDigits
            fractionDigits = String(padded.suffix(shift)) + fractionDigits
            integerDigits = String(padded.dropLast(shift))
        }
        while integerDigits.count > 1 && integerDigits.first == "0" { integerDigits.removeFirst() }
        if integerDigits.isEmpty { integerDigits = "0" }
        while fractionDigits.last == "0" { fractionDigits.removeLast() }
        return (negative ? "-" : "") + integerDigits + (fractionDigits.isEmpty ? "" : "." + fractionDigits)
    }

    /// Whether `text` is a plain decimal number: optional sign, digits, optional fraction
    /// (`-12`, `12.50`, `.5`). Exponents are refused: DECIMAL columns do not take them everywhere.
    static func isDecimal(_ text: String) -> Bool {
        var body = Substring(text)
        if body.first == "-" || body.first == "+" { body = body.dropFirst() }
        let parts = body.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let digits = parts.joined()
        guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit) else { return false }
        return parts.count == 1 || !parts[1].isEmpty
    }

    /// The integer a decimal text names, when it names one exactly: `12`, `12.00`, `-3`.
    static func integer(_ text: String) -> Int64? {
        let trimmed = text.trimmingASCIISpaces()
        if let n = Int64(trimmed) { return n }
        guard isDecimal(trimmed), let dot = trimmed.firstIndex(of: ".") else { return nil }
        guard trimmed[trimmed.index(after: dot)...].allSatisfy({ $0 == "0" }) else { return nil }
        return Int64(trimmed[..<dot])
    }
}

extension NumberText {
    /// For decimal text naming a whole number (`7`, `-1`, `2.00`, however many digits):
    /// whether it is non-zero; nil for a fraction (`0.5`) or text that is no number.
    static func wholeNumberIsNonZero(_ text: String) -> Bool? {
        let trimmed = text.trimmingASCIISpaces()
        guard isDecimal(trimmed) else { return nil }
        var body = Substring(trimmed)
        if body.first == "-" || body.first == "+" { body = body.dropFirst() }
        let parts = body.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        if parts.count == 2, !parts[1].allSatisfy({ $0 == "0" }) { return nil }
        return !parts[0].allSatisfy { $0 == "0" }
    }
}

extension String {
    func trimmingASCIISpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[start...end])
    }
}
