@testable import SQLServerClient
import Testing

@Suite struct SQLServerDecimalTests {
    @Test func precisionAndScaleFollowTheDigits() throws {
        let decimal = try #require(SQLServerDecimal("12.50"))
        #expect(decimal.precision == 4)
        #expect(decimal.scale == 2)
        #expect(!decimal.negative)
        // 1250 = 0x04e2, in the 2 magnitude bytes of precision 4 (3 bytes with the sign).
        #expect(decimal.magnitude == [0x04, 0xe2])
        #expect(decimal.dbDecimalBytes.prefix(5) == [4, 2, 0, 0x04, 0xe2])
        #expect(decimal.dbDecimalBytes.count == 35)
    }

    @Test func signsAndLeadingZeros() throws {
        let negative = try #require(SQLServerDecimal("-0.05"))
        #expect((negative.precision, negative.scale, negative.negative) == (2, 2, true))
        #expect(negative.magnitude == [5])
        let zero = try #require(SQLServerDecimal("-0"))
        #expect((zero.precision, zero.scale, zero.negative) == (1, 0, false))
        #expect(try #require(SQLServerDecimal("+7")).magnitude == [7])
        #expect(try #require(SQLServerDecimal(".5")).scale == 1)
        #expect(SQLServerDecimal("") == nil)
        #expect(SQLServerDecimal("-") == nil)
        #expect(SQLServerDecimal("1.2.3") == nil)
    }

    @Test func thirtyEightDigitsFitTheirBytes() throws {
        let largest = try #require(SQLServerDecimal(String(repeating: "9", count: 38)))
        #expect(largest.precision == 38)
        #expect(largest.magnitude.count == 16)
        // 10^38 - 1 = 0x4b3b4ca85a86c47a098a223fffffffff
        #expect(largest.magnitude == [
            0x4b, 0x3b, 0x4c, 0xa8, 0x5a, 0x86, 0xc4, 0x7a, 0x09, 0x8a, 0x22, 0x3f, 0xff, 0xff, 0xff, 0xff,
        ])
        let uint = try #require(SQLServerDecimal(String(UInt64.max)))
        #expect(uint.precision == 20)
        #expect(uint.magnitude == [0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
    }
}
