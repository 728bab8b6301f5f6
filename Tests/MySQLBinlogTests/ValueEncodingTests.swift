import Directory
import Testing
@testable import MySQLBinlog

/// Value encodings from bytes, for the formats the fixtures do not contain.
@Suite struct ValueEncodingTests {
    func read<T>(_ bytes: [UInt8], _ body: (inout ByteReader) throws -> T) throws -> T {
        try bytes.withUnsafeBytes { (raw) throws -> T in
            var reader = ByteReader(raw)
            let value = try body(&reader)
            #expect(reader.isAtEnd, "every byte consumed")
            return value
        }
    }

    @Test func decimalExamplesFromTheMySQLManual() throws {
        // "Precision Math", DECIMAL(14,4): 1234567890.1234 and its negative.
        #expect(try read([0x81, 0x0D, 0xFB, 0x38, 0xD2, 0x04, 0xD2]) {
            try DecimalValue.read(&$0, precision: 14, scale: 4)
        } == "1234567890.1234")
        #expect(try read([0x7E, 0xF2, 0x04, 0xC7, 0x2D, 0xFB, 0x2D]) {
            try DecimalValue.read(&$0, precision: 14, scale: 4)
        } == "-1234567890.1234")
        #expect(DecimalValue.size(precision: 65, scale: 30) == 30)
        #expect(DecimalValue.size(precision: 10, scale: 2) == 5)
    }

    /// DECIMAL text built group by group with String concatenation: how the decoder did it
    /// before it wrote digits into a buffer; the two must agree on every byte pattern.
    static func referenceDecimalText(_ bytes: [UInt8], precision: Int, scale: Int) -> String {
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
        func padded(_ value: UInt32, to width: Int) -> String {
            let digits = String(value)
            return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
        }
        let integerDigits = precision - scale
        var text = negative ? "-" : ""
        var integer = ""
        let leading = integerDigits % 9
        if leading > 0 {
            let value = group(DecimalValue.digitsToBytes[leading])
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
            for _ in 0..<(scale / 9) { text += padded(group(4), to: 9) }
            let trailing = scale % 9
            if trailing > 0 { text += padded(group(DecimalValue.digitsToBytes[trailing]), to: trailing) }
        }
        return text
    }

    @Test func decimalTextMatchesTheReferenceOnAnyBytes() throws {
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func random() -> UInt8 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: seed >> 33)
        }
        var checked = 0
        for precision in [1, 2, 5, 9, 10, 11, 18, 19, 27, 30, 65] {
            for scale in [0, 1, 2, 4, 9, 10, 17, 30] where scale <= precision {
                let size = DecimalValue.size(precision: precision, scale: scale)
                for trial in 0..<40 {
                    // Random bytes (corrupt groups included), all zeros and all ones.
                    let bytes: [UInt8] =
                        switch trial {
                        case 0: [UInt8](repeating: 0x80, count: 1) + [UInt8](repeating: 0, count: size - 1)
                        case 1: [UInt8](repeating: 0x7F, count: 1) + [UInt8](repeating: 0xFF, count: size - 1)
                        case 2: [UInt8](repeating: 0xFF, count: size)
                        default: (0..<size).map { _ in random() }
                        }
                    let text = try read(bytes) { try DecimalValue.read(&$0, precision: precision, scale: scale) }
                    #expect(text == Self.referenceDecimalText(bytes, precision: precision, scale: scale))
                    checked += 1
                }
            }
        }
        #expect(checked == 2_520)
    }

    @Test func oldTemporalFormats() throws {
        // TIME: -838:59:59 as the decimal -8385959, 3 bytes little-endian.
        let time = UInt32(bitPattern: -8_385_959)
        #expect(try read([UInt8(time & 0xFF), UInt8(time >> 8 & 0xFF), UInt8(time >> 16 & 0xFF)]) {
            try TemporalValue.time(&$0)
        } == SQLTime(negative: true, hours: 838, minutes: 59, seconds: 59))
        var dateTime = EventBuilder()
        dateTime.le(2024_02_29_123456, 8)
        #expect(try read(dateTime.bytes) { try TemporalValue.dateTime(&$0) }
            == SQLDateTime(date: SQLDate(year: 2024, month: 2, day: 29), hour: 12, minute: 34, second: 56))
        var timestamp = EventBuilder()
        timestamp.le(951_782_400, 4)
        #expect(try read(timestamp.bytes) { try TemporalValue.timestamp(&$0) }
            == SQLDateTime(date: SQLDate(year: 2000, month: 2, day: 29), hour: 0, minute: 0, second: 0))
    }

    @Test func time2WithSixDigitsNegative() throws {
        // -00:00:01.000001: packed = -(1 << 24 | 1), stored + 0x800000000000 in 6 bytes big-endian.
        var bytes = EventBuilder()
        bytes.be(UInt64(0x8000_0000_0000 - (1 << 24 | 1)), 6)
        #expect(try read(bytes.bytes) { try TemporalValue.time2(&$0, fsp: 6) }
            == SQLTime(negative: true, hours: 0, minutes: 0, seconds: 1, microseconds: 1))
    }

    @Test func utcCalendar() {
        #expect(TemporalValue.utc(seconds: 2_147_483_647, microsecond: 0)
            == SQLDateTime(date: SQLDate(year: 2038, month: 1, day: 19), hour: 3, minute: 14, second: 7))
        #expect(TemporalValue.utc(seconds: 1, microsecond: 5)
            == SQLDateTime(date: SQLDate(year: 1970, month: 1, day: 1), hour: 0, minute: 0, second: 1, microsecond: 5))
        #expect(TemporalValue.utc(seconds: 0, microsecond: 0)
            == SQLDateTime(date: SQLDate(year: 0, month: 0, day: 0), hour: 0, minute: 0, second: 0))
    }

    @Test func latin1IsWindows1252WithC1Gaps() {
        let bytes: [UInt8] = [0x41, 0x80, 0x81, 0x8D, 0x9F, 0xA0, 0xFF]
        let text = bytes.withUnsafeBytes { decodeLatin1($0) }
        #expect(Array(text.unicodeScalars.map(\.value)) == [0x41, 0x20AC, 0x81, 0x8D, 0x178, 0xA0, 0xFF])
    }

    @Test func collations() {
        #expect(TextEncoding(collationID: 255) == .utf8)
        #expect(TextEncoding(collationID: 2304) == .utf8)  // MariaDB utf8mb4_uca1400_ai_ci
        #expect(TextEncoding(collationID: 2560) == .other(collationID: 2560))  // ucs2_uca1400_ai_ci
        #expect(TextEncoding(collationID: 8) == .latin1)
        #expect(TextEncoding(collationID: 63) == .binary)
        #expect(TextEncoding(collationID: 28) == .other(collationID: 28))  // gbk
    }

    @Test func queryKinds() throws {
        for (statement, kind) in [
            ("BEGIN", QueryEvent.Kind.begin), ("START TRANSACTION", .begin), ("COMMIT", .commit), ("commit;", .commit),
            ("ROLLBACK", .rollback), ("ROLLBACK TO SAVEPOINT a", .other), ("SAVEPOINT a", .other),
        ] {
            let events = try MySQLEvents.decodeAll([MySQLEvents.formatDescription, MySQLEvents.query(statement, nextPosition: 1)])
            guard case .query(let query) = events[1] else {
                Issue.record("no QUERY")
                continue
            }
            #expect(query.kind == kind, "\(statement)")
        }
    }
}
