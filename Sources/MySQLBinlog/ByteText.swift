import Directory
import SCIM

/// Text forms appended straight to a byte buffer, for `scimsync tail`'s lines: a JSON string
/// literal, decimal integers, base64, SQL dates and times. Each is the byte-for-byte twin of
/// the `String` form the rest of scimsync uses (SCIM's JSON writer, ``Directory/Base64``,
/// ``Directory/TemporalText``), and the tests hold them equal; here nothing allocates, which
/// is what a line per row change at hundreds of thousands of rows a second needs.
enum ByteText {
    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")
    static let zero = UInt8(ascii: "0")
    static let minus = UInt8(ascii: "-")

    /// `text` as a JSON string literal. RFC 8259 section 7: the quotation mark, the reverse
    /// solidus and the control characters U+0000 to U+001F must be escaped; everything else,
    /// non-ASCII included, stays as its UTF-8 bytes. The short escapes (`\n`, `\t` ...) where
    /// JSON has them, `\u00XX` (lower-case hex) for the other control characters.
    static func appendQuoted(_ text: String, to out: inout ByteOutput) {
        out.append(quote)
        // Native strings are contiguous UTF-8 already: no copy.
        let done: Void? = text.utf8.withContiguousStorageIfAvailable { appendEscaped($0, to: &out) }
        if done == nil {
            var text = text
            text.withUTF8 { appendEscaped($0, to: &out) }
        }
        out.append(quote)
    }

    /// The escaped content of `text` as a JSON string, without the quotes (for a string
    /// written in pieces).
    static func quotedPart(_ text: String) -> [UInt8] {
        var out = ByteOutput()
        appendQuoted(text, to: &out)
        return Array(out.bytes.dropFirst().dropLast())
    }

    /// The bytes of a JSON string's content, escaped as ``appendQuoted(_:to:)`` says; runs of
    /// bytes that need nothing are copied whole.
    static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout ByteOutput) {
        var runStart = 0
        var index = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            if byte >= 0x20 && byte != quote && byte != backslash {
                index += 1
                continue
            }
            if runStart < index { out.append(UnsafeBufferPointer(rebasing: bytes[runStart..<index])) }
            out.append(backslash)
            switch byte {
            case quote, backslash: out.append(byte)
            case 0x08: out.append(UInt8(ascii: "b"))
            case 0x0C: out.append(UInt8(ascii: "f"))
            case 0x0A: out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(UInt8(ascii: "r"))
            case 0x09: out.append(UInt8(ascii: "t"))
            default:
                let low = byte & 0xF
                out.append(UInt8(ascii: "u"))
                out.append(zero)
                out.append(zero)
                out.append(zero + byte >> 4)
                out.append(low < 10 ? zero + low : UInt8(ascii: "a") + low - 10)
            }
            index += 1
            runStart = index
        }
        if runStart < count { out.append(UnsafeBufferPointer(rebasing: bytes[runStart..<count])) }
    }

    /// `number` in decimal, as `String(number)` writes it.
    static func appendInteger(_ number: Int64, to out: inout ByteOutput) {
        if number < 0 { out.append(minus) }
        appendDigits(number.magnitude, minimumWidth: 1, to: &out)
    }

    /// `number` in decimal, as `String(number)` writes it.
    static func appendInteger(_ number: UInt64, to out: inout ByteOutput) {
        appendDigits(number, minimumWidth: 1, to: &out)
    }

    /// `number` in decimal with at least `width` digits (zeros in front), a minus sign before
    /// them when negative: TemporalText's padding.
    static func appendPadded(_ number: Int, width: Int, to out: inout ByteOutput) {
        if number < 0 { out.append(minus) }
        appendDigits(UInt64(number.magnitude), minimumWidth: width, to: &out)
    }

    /// "00" to "99", two bytes each: digits are written two at a time, one division by 100
    /// for both instead of one by 10 each.
    private static var digitPairs: StaticString {
        """
        00010203040506070809101112131415161718192021222324252627282930313233343536373839\
        40414243444546474849505152535455565758596061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899
        """
    }

    /// Stores the two digits of `value` (0 to 99) at `offset`.
    @inline(__always)
    private static func storePair(_ value: Int, to buffer: UnsafeMutableRawBufferPointer, at offset: Int) {
        buffer.storeBytes(of: digitPair(value), toByteOffset: offset, as: UInt16.self)
    }

    /// The two ASCII digits of `value` (0 to 99) as they lie in memory, to be stored as one
    /// 16-bit word (loaded and stored the same way, so byte order does not matter).
    @inline(__always)
    static func digitPair(_ value: Int) -> UInt16 {
        UnsafeRawPointer(digitPairs.utf8Start).loadUnaligned(fromByteOffset: value &* 2, as: UInt16.self)
    }

    /// `number` with at least `minimumWidth` digits (at most 24).
    private static func appendDigits(_ number: UInt64, minimumWidth: Int, to out: inout ByteOutput) {
        // 20 digits hold UInt64.max; TemporalText pads to at most 6. Written from the end of
        // a buffer on the stack, then appended in one copy.
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { buffer in
            let end = buffer.count
            var start = end
            var rest = number
            while rest >= 10 {
                start -= 2
                storePair(Int(truncatingIfNeeded: rest % 100), to: buffer, at: start)
                rest /= 100
            }
            if rest > 0 || start == end {
                start -= 1
                buffer[start] = zero + UInt8(truncatingIfNeeded: rest)
            }
            while end - start < minimumWidth, start > 0 {
                start -= 1
                buffer[start] = zero
            }
            let base = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
            out.append(UnsafeBufferPointer(start: base + start, count: end - start))
        }
    }

    private static let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// `bytes` in base64 with padding (RFC 4648 section 4), as ``Directory/Base64/encode(_:)``.
    static func appendBase64(_ bytes: [UInt8], to out: inout ByteOutput) {
        out.reserve((bytes.count + 2) / 3 * 4)
        base64Alphabet.withUnsafeBufferPointer { alphabet in
            bytes.withUnsafeBufferPointer { input in
                var index = 0
                let count = input.count
                while index + 3 <= count {
                    let group = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
                    out.append(alphabet[Int(group >> 18 & 63)])
                    out.append(alphabet[Int(group >> 12 & 63)])
                    out.append(alphabet[Int(group >> 6 & 63)])
                    out.append(alphabet[Int(group & 63)])
                    index += 3
                }
                guard index < count else { return }
                let second = index + 1 < count
                let group = UInt32(input[index]) << 16 | (second ? UInt32(input[index + 1]) << 8 : 0)
                out.append(alphabet[Int(group >> 18 & 63)])
                out.append(alphabet[Int(group >> 12 & 63)])
                out.append(second ? alphabet[Int(group >> 6 & 63)] : UInt8(ascii: "="))
                out.append(UInt8(ascii: "="))
            }
        }
    }

    /// ``Directory/TemporalText/date(_:)``: `YYYY-MM-DD`.
    static func appendDate(_ date: SQLDate, to out: inout ByteOutput) {
        appendPadded(date.year, width: 4, to: &out)
        out.append(minus)
        appendPadded(date.month, width: 2, to: &out)
        out.append(minus)
        appendPadded(date.day, width: 2, to: &out)
    }

    /// ``Directory/TemporalText/time(_:fraction:)``: `[-]HH:MM:SS[.f]`.
    static func appendTime(_ time: SQLTime, fraction: TemporalText.Fraction, to out: inout ByteOutput) {
        if time.negative { out.append(minus) }
        appendClock(time.hours, time.minutes, time.seconds, time.microseconds, fraction: fraction, to: &out)
    }

    /// ``Directory/TemporalText/dateTime(_:separator:fraction:)`` with the separator `T`.
    static func appendDateTime(_ value: SQLDateTime, fraction: TemporalText.Fraction, to out: inout ByteOutput) {
        if appendUsualDateTime(value, fraction: fraction, to: &out) { return }
        appendDate(value.date, to: &out)
        out.append(UInt8(ascii: "T"))
        appendClock(value.hour, value.minute, value.second, value.microsecond, fraction: fraction, to: &out)
    }

    /// The common case of ``appendDateTime(_:fraction:to:)`` in one copy: every field within
    /// its calendar range (what a DATETIME or TIMESTAMP column holds, the zero date included)
    /// and a fixed number of fractional digits. False, with nothing appended, otherwise.
    private static func appendUsualDateTime(
        _ value: SQLDateTime, fraction: TemporalText.Fraction, to out: inout ByteOutput
    ) -> Bool {
        guard case .digits(let wanted) = fraction, (0...9999).contains(value.date.year), (0...99).contains(value.date.month),
            (0...99).contains(value.date.day), (0...99).contains(value.hour), (0...99).contains(value.minute),
            (0...99).contains(value.second), (0...999_999).contains(value.microsecond)
        else { return false }
        let digits = min(wanted, 6)
        // YYYY-MM-DDTHH:MM:SS (19) and .ffffff (7).
        var text: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        let count = withUnsafeMutableBytes(of: &text) { buffer -> Int in
            // Every field was checked to be within its width above.
            storePair(value.date.year / 100, to: buffer, at: 0)
            storePair(value.date.year % 100, to: buffer, at: 2)
            buffer[4] = minus
            storePair(value.date.month, to: buffer, at: 5)
            buffer[7] = minus
            storePair(value.date.day, to: buffer, at: 8)
            buffer[10] = UInt8(ascii: "T")
            storePair(value.hour, to: buffer, at: 11)
            buffer[13] = UInt8(ascii: ":")
            storePair(value.minute, to: buffer, at: 14)
            buffer[16] = UInt8(ascii: ":")
            storePair(value.second, to: buffer, at: 17)
            guard digits > 0 else { return 19 }
            buffer[19] = UInt8(ascii: ".")
            storePair(value.microsecond / 10_000, to: buffer, at: 20)
            storePair(value.microsecond / 100 % 100, to: buffer, at: 22)
            storePair(value.microsecond % 100, to: buffer, at: 24)
            return 20 + digits
        }
        withUnsafeBytes(of: &text) { buffer in
            out.append(UnsafeBufferPointer(start: buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), count: count))
        }
        return true
    }

    private static func appendClock(
        _ hours: Int, _ minutes: Int, _ seconds: Int, _ microseconds: Int, fraction: TemporalText.Fraction,
        to out: inout ByteOutput
    ) {
        let colon = UInt8(ascii: ":")
        appendPadded(hours, width: 2, to: &out)
        out.append(colon)
        appendPadded(minutes, width: 2, to: &out)
        out.append(colon)
        appendPadded(seconds, width: 2, to: &out)
        // TemporalText: the fraction is the microseconds padded to six digits, then cut.
        switch fraction {
        case .shortest:
            guard microseconds > 0 else { return }
            out.append(UInt8(ascii: "."))
            appendPadded(microseconds, width: 6, to: &out)
            while out.last == zero { out.removeLast() }
        case .microseconds:
            guard microseconds > 0 else { return }
            out.append(UInt8(ascii: "."))
            appendPadded(microseconds, width: 6, to: &out)
        case .digits(let count):
            guard count > 0 else { return }
            out.append(UInt8(ascii: "."))
            let start = out.count
            appendPadded(microseconds, width: 6, to: &out)
            let keep = min(count, 6)
            if out.count - start > keep { out.removeLast(out.count - start - keep) }
        }
    }
}

extension ByteText {
    /// Whether `bytes` are well-formed UTF-8 (Unicode 15, table 3-7: no overlong forms, no
    /// surrogates, nothing past U+10FFFF, no stray or missing continuation bytes): exactly the
    /// bytes `String(decoding:as:)` keeps unchanged, so text that passes can be escaped as it
    /// lies and reads as the `String` would.
    static func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let count = bytes.count
        var index = 0
        // ASCII eight bytes at a time: most text in a directory is.
        while index + 8 <= count, bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
            index += 8
        }
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            guard let (length, low, high) = UTF8Lead.sequence(startingWith: lead), index + length <= count else {
                return false
            }
            // The second byte's range depends on the lead; the others are any continuation.
            let second = bytes[index + 1]
            guard second >= low, second <= high else { return false }
            for offset in 2..<length where bytes[index + offset] & 0xC0 != 0x80 {
                return false
            }
            index += length
        }
        return true
    }

    /// `bytes` (text in UTF-8 as a column stores it) as a JSON string literal: what
    /// ``appendQuoted(_:to:)`` writes for `String(decoding: bytes, as: UTF8.self)`, without
    /// making the string when the bytes are well-formed.
    static func appendQuotedUTF8(_ bytes: UnsafeRawBufferPointer, to out: inout ByteOutput) {
        let text = bytes.assumingMemoryBound(to: UInt8.self)
        if isPlainASCII(bytes) {
            out.append(text, between: quote)
            return
        }
        guard isValidUTF8(bytes) else {
            // Ill-formed sequences become U+FFFD, as the string would have them.
            appendQuoted(String(decoding: bytes, as: UTF8.self), to: &out)
            return
        }
        out.append(quote)
        appendEscaped(text, to: &out)
        out.append(quote)
    }

    /// Whether every byte is printable ASCII other than `"` and `\`: text valid as it is and
    /// with nothing to escape, checked eight bytes at a time ("Bit Twiddling Hacks", S. E.
    /// Anderson: a word has a byte below n when `(x - 0x01…·n) & ~x & 0x80…` is not zero, for
    /// n up to 128, and a zero byte when it is so for n = 1).
    @inline(__always)
    static func isPlainASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func special(_ word: UInt64) -> Bool {
            // Per byte, the high bit of: the byte itself (non-ASCII), byte - 0x20 borrowing
            // (below 0x20), and byte XOR '"' or '\' being zero.
            let below = (word &- 0x20 &* ones) & ~word
            let quotes = word ^ (0x22 &* ones)
            let backslashes = word ^ (0x5C &* ones)
            let zeroQuote = (quotes &- ones) & ~quotes
            let zeroBackslash = (backslashes &- ones) & ~backslashes
            return (word | below | zeroQuote | zeroBackslash) & highs != 0
        }
        let count = bytes.count
        guard count >= 8 else { return count == 0 || !special(shortWord(bytes)) }
        var index = 0
        while index + 8 < count {
            if special(bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)) { return false }
            index += 8
        }
        // The last eight bytes, overlapping the word before when the count is no multiple of 8.
        return !special(bytes.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self))
    }

    /// One to seven bytes in one word: two overlapping loads of the text's own bytes, and
    /// where three or fewer do not fill it, "A"s (printable, nothing to escape).
    @inline(__always)
    private static func shortWord(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let count = bytes.count
        let filler: UInt64 = 0x4141_4141_4141_4141
        if count >= 4 {
            let first = UInt64(bytes.loadUnaligned(as: UInt32.self))
            let last = UInt64(bytes.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self))
            return first | last << 32
        }
        if count >= 2 {
            let first = UInt64(bytes.loadUnaligned(as: UInt16.self))
            let last = UInt64(bytes.loadUnaligned(fromByteOffset: count - 2, as: UInt16.self))
            return first | last << 16 | filler << 32
        }
        return UInt64(bytes[0]) | filler << 8
    }
}
