import Testing
@testable import MySQLBinlog

/// MySQL binary JSON (`json_binary.h`) to the text SELECT prints.
@Suite struct MySQLJSONTests {
    func text(_ bytes: [UInt8]) throws -> String {
        try bytes.withUnsafeBytes { try MySQLJSON.text($0) }
    }

    @Test func objectWithInlinedAndOffsetValues() throws {
        #expect(try text(MySQLEvents.json) == "{\"a\": 1, \"b\": [true, \"xy\"]}")
    }

    @Test func scalars() throws {
        #expect(try text([0x04, 0x00]) == "null")
        #expect(try text([0x04, 0x02]) == "false")
        #expect(try text([0x05, 0xFE, 0xFF]) == "-2")
        #expect(try text([0x07, 0x90, 0xEE, 0xFE, 0xFF]) == "-70000")
        #expect(try text([0x0A] + Array(repeating: 0xFF, count: 8)) == "18446744073709551615")
        var double = EventBuilder()
        double.u8(0x0B)
        double.le(2.5.bitPattern, 8)
        #expect(try text(double.bytes) == "2.5")
        var big = EventBuilder()
        big.u8(0x0B)
        big.le(1e20.bitPattern, 8)
        #expect(try text(big.bytes) == "1e20")
        #expect(try text([]) == "null")
    }

    @Test func stringsAreEscaped() throws {
        let value = Array("a\"b\\c\nd\u{01}é".utf8)
        #expect(try text([0x0C, UInt8(value.count)] + value) == "\"a\\\"b\\\\c\\nd\\u0001é\"")
    }

    @Test func longStringLengthUsesSevenBitGroups() throws {
        let value = Array(repeating: UInt8(ascii: "x"), count: 200)
        #expect(try text([0x0C, 0xC8, 0x01] + value) == "\"" + String(repeating: "x", count: 200) + "\"")
    }

    @Test func largeArrayInlinesInt32() throws {
        // Large array: count 1, size 4+4+5 = 13, entry (int32 inlined 4 bytes).
        let bytes: [UInt8] = [0x03, 0x01, 0, 0, 0, 0x0D, 0, 0, 0, 0x07, 0x90, 0xEE, 0xFE, 0xFF]
        #expect(try text(bytes) == "[-70000]")
    }

    @Test func opaqueDecimalAndDatetime() throws {
        // DECIMAL(5,2) 12.34: precision, scale, binary decimal.
        #expect(try text([0x0F, 246, 5, 5, 2, 0x80, 0x0C, 0x22]) == "12.34")
        // DATETIME 2015-01-15 23:24:25.000000 as a packed longlong.
        let ymd = Int64((2015 * 13 + 1) << 5 | 15)
        let packed = (ymd << 17 | Int64(23 << 12 | 24 << 6 | 25)) << 24
        var bytes = EventBuilder()
        bytes.raw([0x0F, 12, 8])
        bytes.le(UInt64(bitPattern: packed), 8)
        #expect(try text(bytes.bytes) == "\"2015-01-15 23:24:25.000000\"")
    }

    @Test func malformedThrows() {
        #expect(throws: (any Error).self) { try text([0x00, 0x05, 0x00, 0xFF, 0x00]) }
        #expect(throws: (any Error).self) { try text([0x0C, 0x05, 0x41]) }
        #expect(throws: (any Error).self) { try text([0x04, 0x07]) }
        #expect(throws: (any Error).self) { try text([0x0E]) }
    }
}
