import Testing
import MySQLBinlog

/// CHAR/VARCHAR/TEXT in utf8mb4, utf8mb3 and latin1, BINARY/VARBINARY/BLOB, ENUM, SET, MariaDB
/// JSON and GEOMETRY from `fx.strs`.
@Suite struct StringColumnTests {
    let rows: [[BinlogValue]]

    init() throws {
        rows = try Fixtures.inserted("binlog.000001", table: "fx.strs")
    }

    @Test func textInEveryCharset() {
        let row = rows[0]
        #expect(row[1] == .text("abc"))
        #expect(row[2] == .text("😀 emoji 4-byte ✓"))
        #expect(row[3] == .text("ñandú"))  // utf8mb3
        #expect(row[4] == .text("café €‰Œ"))  // latin1: € ‰ Œ are cp1252 0x80 0x89 0x8C
        #expect(row[5] == .text("xÿ"))  // latin1 CHAR
        #expect(row[6] == .text(String(repeating: "é", count: 255)))  // CHAR(255) utf8mb4: 2-byte length
        #expect(row[13] == .text("tiny"))
        #expect(row[14] == .text("latin1 text ß"))
        #expect(row[15] == .text("medium"))
        #expect(row[16] == .text("long 𝄞"))
        #expect(row[22] == .text("ü"))  // latin1 column after GEOMETRY: MariaDB counts GEOMETRY as a character column
    }

    @Test func binaryColumns() {
        let row = rows[0]
        #expect(row[7] == .bytes([0x00, 0xFF, 0x00, 0x00]))  // BINARY(4) gets its trailing zeros back
        #expect(row[8] == .bytes([0x01, 0x02]))
        #expect(row[9] == .bytes([0x03]))
        #expect(row[10] == .bytes([0xDE, 0xAD, 0xBE, 0xEF]))
        #expect(row[11] == .bytes(Array("mb".utf8)))
        #expect(row[12] == .bytes(Array("lb".utf8)))
        #expect(rows[1][7] == .bytes([0x61, 0, 0, 0]))
        #expect(rows[3][7] == .bytes([0, 0, 0, 0]))
        #expect(rows[3][8] == .bytes([0]))
    }

    @Test func enumAndSetMembers() {
        #expect(rows[0][17] == .enumeration("bé"))
        #expect(rows[0][18] == .set(["x", "z"]))
        #expect(rows[0][19] == .set(["a", "i"]))  // 9 members: a 2-byte bitmask
        #expect(rows[1][17] == .enumeration("c"))
        #expect(rows[1][18] == .set([]))
        #expect(rows[3][19] == .set(["a", "b", "c", "d", "e", "f", "g", "h", "i"]))
        #expect(rows[0][18].sqlValue == .text("x,z"))
    }

    @Test func mariaDBJSONIsText() {
        #expect(rows[0][20] == .text("{\"a\": [1, 2.5, \"x\", null, true]}"))
        #expect(rows[1][20] == .text("[]"))
    }

    @Test func geometryIsBytes() {
        // SRID 0, then WKB little-endian POINT(1 2).
        var wkb: [UInt8] = [0, 0, 0, 0, 1, 1, 0, 0, 0]
        wkb += withUnsafeBytes(of: Double(1).bitPattern.littleEndian, Array.init)
        wkb += withUnsafeBytes(of: Double(2).bitPattern.littleEndian, Array.init)
        #expect(rows[0][21] == .bytes(wkb))
    }

    @Test func emptyStringsAreNotNull() {
        let row = rows[1]
        for index in [1, 2, 3, 4, 5, 6, 13, 14, 15, 16, 22] {
            #expect(row[index] == .text(""), "column \(index)")
        }
        for index in [8, 9, 10, 11, 12] {
            #expect(row[index] == .bytes([]), "column \(index)")
        }
    }

    @Test func trailingSpaces() {
        #expect(rows[3][1] == .text("  pad"))  // CHAR loses trailing spaces, as SELECT shows it
        #expect(rows[3][2] == .text("trailing  "))  // VARCHAR keeps them
    }

    @Test func allNull() {
        #expect(rows[2] == [.int(3)] + Array(repeating: BinlogValue.null, count: 22))
    }

    @Test func columnMetadata() throws {
        let map = try #require(try Fixtures.tableMap("binlog.000001", table: "fx.strs"))
        #expect(map.columnNames.prefix(4) == ["id", "c", "vc", "v3"])
        #expect(map.primaryKey == [0])
        #expect(map.columns[4].textEncoding == .latin1)
        #expect(map.columns[7].textEncoding == .binary)
        #expect(map.columns[2].textEncoding == .utf8)
        #expect(map.columns[17].members == ["a", "bé", "c"])
        #expect(map.columns[6].length == 1020)
    }
}

/// A 211-column table: null bitmaps over several bytes.
@Test func wideTable() throws {
    let rows = try Fixtures.inserted("binlog.000001", table: "fx.wide")
    var expected: [BinlogValue] = [.int(1)]
    for index in 1...210 {
        expected.append(index % 5 == 0 ? BinlogValue.null : BinlogValue.int(Int64(index * 1000 + index % 7)))
    }
    #expect(rows == [expected])
}
