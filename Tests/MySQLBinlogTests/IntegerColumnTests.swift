import Testing
import MySQLBinlog

/// TINYINT..BIGINT, signed and unsigned, from `fx.ints` in the MariaDB fixture.
@Suite struct IntegerColumnTests {
    let rows: [[BinlogValue]]

    init() throws {
        rows = try Fixtures.inserted("binlog.000001", table: "fx.ints")
    }

    @Test func minimumsAndZeros() {
        #expect(rows[0] == [
            .int(1), .int(-128), .uint(0), .int(-32768), .uint(0), .int(-8_388_608), .uint(0),
            .int(-2_147_483_648), .uint(0), .int(.min), .uint(0),
        ])
    }

    @Test func maximums() {
        #expect(rows[1] == [
            .int(2), .int(127), .uint(255), .int(32767), .uint(65535), .int(8_388_607), .uint(16_777_215),
            .int(2_147_483_647), .uint(4_294_967_295), .int(.max), .uint(.max),
        ])
    }

    @Test func nulls() {
        #expect(rows[2] == [.int(3)] + Array(repeating: BinlogValue.null, count: 10))
    }

    @Test func minusOneIsSignExtendedOnlyForSignedColumns() {
        #expect(rows[3] == [.int(4), .int(-1), .uint(1), .int(-1), .uint(1), .int(-1), .uint(1), .int(-1), .uint(1), .int(-1), .uint(1)])
    }
}
