/// A DECIMAL value in db-lib's DBDECIMAL layout: precision, scale, then `array`, whose first
/// byte is the sign (1 for negative) and whose next bytes are the unscaled number, most
/// significant first, as many as the precision needs (src/tds/numeric.c,
/// tds_numeric_to_string: "if (numeric->array[0] == 1) *s++ = '-'", and
/// tds_numeric_bytes_per_prec).
struct SQLServerDecimal: Hashable {
    var precision: Int
    var scale: Int
    var negative: Bool
    /// The unscaled number, most significant byte first, `bytesPerPrecision[precision] - 1` bytes.
    var magnitude: [UInt8]

    /// SQL Server's largest precision ("decimal[(p[,s])] ... The maximum precision is 38").
    static let maximumPrecision = 38

    /// Bytes of a numeric of each precision, the sign byte included (tds_numeric_bytes_per_prec).
    static let bytesPerPrecision: [Int] = [
        1,
        2, 2, 3, 3, 4, 4, 4, 5, 5,
        6, 6, 6, 7, 7, 8, 8, 9, 9, 9,
        10, 10, 11, 11, 11, 12, 12, 13, 13, 14,
        14, 14, 15, 15, 16, 16, 16, 17, 17,
    ]

    /// Parses `[+|-]digits[.digits]` (at least one digit in all, no exponent); nil for other text
    /// or more than 38 digits.
    init?(_ text: String) {
        var bytes = Substring(text).utf8[...]
        var negative = false
        if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        let parts = bytes.split(separator: UInt8(ascii: "."), maxSplits: 1, omittingEmptySubsequences: false)
        let integer = parts.first ?? Substring("").utf8[...]
        let fraction = parts.count > 1 ? parts[1] : Substring("").utf8[...]
        func isDigits(_ part: Substring.UTF8View.SubSequence) -> Bool {
            part.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        }
        guard integer.count + fraction.count > 0, isDigits(integer), isDigits(fraction) else { return nil }
        let significantInteger = integer.drop { $0 == UInt8(ascii: "0") }
        let precision = max(significantInteger.count + fraction.count, 1)
        guard precision <= Self.maximumPrecision else { return nil }
        var magnitude = [UInt8](repeating: 0, count: Self.bytesPerPrecision[precision] - 1)
        for digit in Array(significantInteger) + Array(fraction) {
            // magnitude = magnitude * 10 + digit, from the least significant byte up.
            var carry = Int(digit - UInt8(ascii: "0"))
            for index in magnitude.indices.reversed() {
                let product = Int(magnitude[index]) * 10 + carry
                magnitude[index] = UInt8(product & 0xff)
                carry = product >> 8
            }
        }
        self.precision = precision
        self.scale = fraction.count
        self.negative = negative && magnitude.contains { $0 != 0 }
        self.magnitude = magnitude
    }

    /// The 35 bytes of a DBDECIMAL (sybdb.h: `unsigned char precision, scale, array[33]`).
    var dbDecimalBytes: [UInt8] {
        var bytes = [UInt8(precision), UInt8(scale), negative ? 1 : 0] + magnitude
        bytes += [UInt8](repeating: 0, count: 35 - bytes.count)
        return bytes
    }
}
