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
