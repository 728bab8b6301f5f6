import Directory
import MySQLBinlog
import Testing

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

    /// MySQL's BOOLEAN is TINYINT(1), whose row image is a TINYINT's: the width is display
    /// only. Read as a SCIM boolean, every non-zero value is true ("Nonzero values are
    /// considered true", MySQL 8.4 manual §13.1.1), signed or unsigned, and NULL stays null.
    @Test func tinyIntValuesReadAsBooleansTheWayMySQLReadsThem() throws {
        // t TINYINT: -128, 127, NULL, -1; tu TINYINT UNSIGNED: 0, 255, NULL, 1.
        let signed = try rows.map { try $0[1].sqlValue?.scimValue(as: .boolean, column: "t") }
        let unsigned = try rows.map { try $0[2].sqlValue?.scimValue(as: .boolean, column: "tu") }
        #expect(signed == [.bool(true), .bool(true), .null, .bool(true)])
        #expect(unsigned == [.bool(false), .bool(true), .null, .bool(true)])
    }
}
