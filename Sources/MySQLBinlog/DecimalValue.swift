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

    /// Longest text: at most 8 integer and 4 fraction groups (precision 65, scale 30), each at
    /// most 10 digits (a corrupt group can hold up to 2^32 - 1), a sign and a point.
    static let maximumTextLength = 12 * 10 + 2

    /// The value as text with exactly `scale` fraction digits, `-` for negatives.
    ///
    /// The text is written into a stack buffer, two digits at a time, and becomes a String
    /// once: this runs for every DECIMAL of every row.
    static func read(_ reader: inout ByteReader, precision: Int, scale: Int) throws(ShortRead) -> String {
        try withText(&reader, precision: precision, scale: scale) { String(decoding: $0, as: UTF8.self) }
    }

    /// Appends the value as a JSON string (its text needs no escaping: digits, `-` and `.`).
    static func appendQuoted(_ reader: inout ByteReader, precision: Int, scale: Int, to out: inout ByteOutput) throws(ShortRead) {
        out.append(ByteText.quote)
        try withText(&reader, precision: precision, scale: scale) { out.append($0) }
        out.append(ByteText.quote)
    }

    /// Reads the value and hands its text to `body` (valid during the call only).
    private static func withText<R>(
        _ reader: inout ByteReader, precision: Int, scale: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R
    ) throws(ShortRead) -> R {
        let bytes = try reader.readBytes(size(precision: precision, scale: scale))
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maximumTextLength) { text in
            var writer = DigitWriter(buffer: text)
            var groups = GroupReader(bytes: bytes)
            if groups.isNegative { writer.append(UInt8(ascii: "-")) }

            let integerDigits = precision - scale
            var wroteInteger = false
            let leading = integerDigits % 9
            if leading > 0 {
                let value = groups.next(byteCount: digitsToBytes[leading])
                if value != 0 {
                    writer.append(value, minimumWidth: 1)
                    wroteInteger = true
                }
            }
            for _ in 0..<(integerDigits / 9) {
                let value = groups.next(byteCount: 4)
                if wroteInteger {
                    writer.append(value, minimumWidth: 9)
                } else if value != 0 {
                    writer.append(value, minimumWidth: 1)
                    wroteInteger = true
                }
            }
            if !wroteInteger { writer.append(UInt8(ascii: "0")) }
            if scale > 0 {
                writer.append(UInt8(ascii: "."))
                for _ in 0..<(scale / 9) {
                    writer.append(groups.next(byteCount: 4), minimumWidth: 9)
                }
                let trailing = scale % 9
                if trailing > 0 {
                    writer.append(groups.next(byteCount: digitsToBytes[trailing]), minimumWidth: trailing)
                }
            }
            return body(UnsafeBufferPointer(rebasing: text[..<writer.count]))
        }
    }

    /// Reads the big-endian digit groups, undoing the sign bit flip and a negative's inversion.
    private struct GroupReader {
        let bytes: UnsafeRawBufferPointer
        let mask: UInt8
        var index = 0

        init(bytes: UnsafeRawBufferPointer) {
            self.bytes = bytes
            mask = bytes[0] & 0x80 == 0 ? 0xFF : 0
        }

        var isNegative: Bool { mask != 0 }

        mutating func next(byteCount: Int) -> UInt32 {
            var value: UInt32 = 0
            for offset in index..<(index + byteCount) {
                var byte = bytes[offset] ^ mask
                if offset == 0 { byte ^= 0x80 }
                value = value << 8 | UInt32(byte)
            }
            index += byteCount
            return value
        }
    }

    /// Appends ASCII to a buffer of ``maximumTextLength`` bytes.
    private struct DigitWriter {
        let buffer: UnsafeMutableBufferPointer<UInt8>
        var count = 0

        mutating func append(_ byte: UInt8) {
            buffer[count] = byte
            count += 1
        }

        /// The decimal digits of `value`, left-padded with zeros to `minimumWidth`: written
        /// from the end, two at a time (``ByteText/digitPair(_:)``), as a group of nine digits
        /// is most of a DECIMAL's text.
        mutating func append(_ value: UInt32, minimumWidth: Int) {
            let width = max(Self.digitCount(value), minimumWidth)
            let start = buffer.baseAddress.unsafelyUnwrapped + count
            var position = width
            var rest = value
            while rest >= 10 {
                position -= 2
                UnsafeMutableRawPointer(start + position).storeBytes(
                    of: ByteText.digitPair(Int(rest % 100)), as: UInt16.self)
                rest /= 100
            }
            // The leading digit of an odd count (or the only one), then the padding.
            if position > 0 {
                position -= 1
                start[position] = ByteText.zero + UInt8(truncatingIfNeeded: rest)
            }
            while position > 0 {
                position -= 1
                start[position] = ByteText.zero
            }
            count += width
        }

        /// Decimal digits in `value` (1 for 0; at most 10).
        private static func digitCount(_ value: UInt32) -> Int {
            var digits = 1
            var power: UInt32 = 10
            // 10^9 is the largest power of ten a UInt32 holds: after it, the count is 10.
            while digits < 10, value >= power {
                digits += 1
                power &*= 10
            }
            return digits
        }
    }
}
