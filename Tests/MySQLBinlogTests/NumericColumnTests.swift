import Directory
import Testing
import MySQLBinlog

/// FLOAT, DOUBLE, DECIMAL, BIT and YEAR from `fx.nums`; expected values are what `SELECT`
/// returned on the server that wrote the fixture.
@Suite struct NumericColumnTests {
    let rows: [[BinlogValue]]

    init() throws {
        rows = try Fixtures.inserted("binlog.000001", table: "fx.nums")
    }

    @Test func firstRow() {
        #expect(rows[0] == [
            .int(1), .float(1.1), .double(3.141592653589793), .decimal("-12.50"),
            .decimal("-12345678901234567890123456789012345.123456789012345678901234567890"), .decimal("99999"),
            .decimal("-0.000000001"), .decimal("-0.9999"), .bits(1, width: 1), .bits(0b10_1010_1010, width: 10),
            .bits(.max, width: 64), .year(2155),
        ])
    }

    @Test func extremesAndZeros() {
        #expect(rows[1] == [
            .int(2), .float(-3.40282e38), .double(1.7976931348623157e308), .decimal("0.00"),
            .decimal("0.000000000000000000000000000000"), .decimal("-99999"), .decimal("123456789.987654321"),
            .decimal("0.0001"), .bits(0, width: 1), .bits(0, width: 10), .bits(0, width: 64), .year(1901),
        ])
        #expect(rows[3] == [
            .int(4), .float(0), .double(-2.5e-308), .decimal("99999999.99"),
            .decimal("0.000000000000000000000000000001"), .decimal("0"), .decimal("-999999999.999999999"),
            .decimal("0.0000"), .bits(1, width: 1), .bits(1023, width: 10), .bits(0x8000_0000_0000_0001, width: 64),
            .year(0),
        ])
    }

    @Test func nulls() {
        #expect(rows[2] == [.int(3)] + Array(repeating: BinlogValue.null, count: 11))
    }

    @Test func floatKeepsItsShortestTextAsSQLValue() {
        #expect(rows[0][1].sqlValue == .double(1.1))
        #expect(rows[0][11].sqlValue == .int(2155))
    }
}
