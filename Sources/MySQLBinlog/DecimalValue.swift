/// DECIMAL(p,s) in MySQL's binary format (`strings/decimal.c`, `decimal2bin`/`bin2decimal`):
/// the integer and fraction parts are stored apart in groups of 9 digits per 4 bytes, big-endian,
/// with a shorter leading integer group and trailing fraction group (`dig2bytes`). The first
/// bit is flipped so the bytes sort; a negative number has every bit inverted.
enum DecimalValue {
    static let digitsToBytes = [0, 1, 1, 2, 2, 3, 3, 4, 4, 4]

    /// Bytes a DECIMAL(precision, scale) value takes.
    static func size(precision: Int, scale: Int) -> Int {
        let integer = precision - scale
        return integer / 9 * 4 + digitsToBytes[integer % 9] + scale / 9 * 4 + digitsToBytes[scale % 9]
    }

    /// The value as text with exactly `scale` fraction digits, `-` for negatives.
    static func read(_ reader: inout ByteReader, precision: Int, scale: Int) throws(ShortRead) -> String {
        let bytes = try reader.readBytes(size(precision: precision, scale: scale))
        let negative = bytes[0] & 0x80 == 0
        let mask: UInt8 = negative ? 0xFF : 0
        var index = 0
        func group(_ count: Int) -> UInt32 {
            var value: UInt32 = 0
            for offset in 0..<count {
                var byte = bytes[index + offset] ^ mask
                if index + offset == 0 { byte ^= 0x80 }
                value = value << 8 | UInt32(byte)
            }
            index += count
            return value
        }

        let integerDigits = precision - scale
        var text = negative ? "-" : ""
        var integer = ""
        let leading = integerDigits % 9
        if leading > 0 {
            let value = group(digitsToBytes[leading])
            if value != 0 { integer += String(value) }
        }
        for _ in 0..<(integerDigits / 9) {
            let value = group(4)
            if integer.isEmpty {
                if value != 0 { integer += String(value) }
            } else {
                integer += padded(value, to: 9)
            }
        }
        text += integer.isEmpty ? "0" : integer
        if scale > 0 {
            text += "."
            for _ in 0..<(scale / 9) {
                text += padded(group(4), to: 9)
            }
            let trailing = scale % 9
            if trailing > 0 {
                text += padded(group(digitsToBytes[trailing]), to: trailing)
            }
        }
        return text
    }

    static func padded(_ value: UInt32, to width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
