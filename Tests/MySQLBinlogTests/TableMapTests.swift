import Testing

@testable import MySQLBinlog

/// TABLE_MAP parsing once per table id, and schemas from information_schema for minimal ones.
@Suite struct TableMapTests {
    @Test func aRepeatedTableMapIsReusedAndAChangedOneReparsed() throws {
        let events = try MySQLEvents.decodeAll([
            MySQLEvents.formatDescription, MySQLEvents.tableMap(), MySQLEvents.tableMap(),
            MySQLEvents.tableMap(names: false),
        ])
        guard case .tableMap(let first) = events[1], case .tableMap(let again) = events[2],
            case .tableMap(let changed) = events[3]
        else {
            Issue.record("no TABLE_MAPs")
            return
        }
        #expect(first == again)
        #expect(first.hasColumnNames)
        #expect(!changed.hasColumnNames)
        #expect(changed.columnNames == ["@1", "@2", "@3", "@4", "@5", "@6", "@7"])
    }

    /// The cache's comparison: a TABLE_MAP is reused only when every byte is the same.
    @Test func aCachedTableMapMatchesOnlyTheSameBytes() {
        let stored: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8, 9]
        func same(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBytes { BinlogEventDecoder.sameBytes(stored, $0) } }
        #expect(same([1, 2, 3, 4, 5, 6, 7, 8, 9]))
        #expect(!same([1, 2, 3, 4, 5, 6, 7, 8, 0]), "one byte differs, the last")
        #expect(!same([0, 2, 3, 4, 5, 6, 7, 8, 9]), "the first")
        #expect(!same([1, 2, 3, 4, 5, 6, 7, 8]), "shorter")
        #expect(!same([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), "longer")
        #expect(!same([]))
        #expect([UInt8]().withUnsafeBytes { BinlogEventDecoder.sameBytes([], $0) })
    }

    @Test func minimalMetadataKeepsBytesAndIndexesUntilDescribed() throws {
        let events = try MySQLEvents.decodeAll([
            MySQLEvents.formatDescription, MySQLEvents.tableMap(minimal: true), MySQLEvents.writeRows(),
        ])
        guard case .tableMap(let minimal) = events[1], case .rows(let rows) = events[2] else {
            Issue.record("no TABLE_MAP + WRITE_ROWS")
            return
        }
        let raw = try rows.rows(using: minimal)[0].after
        #expect(raw?[0] == .int(-1))  // BIGINT UNSIGNED max, read as signed without SIGNEDNESS
        #expect(raw?[1] == .bytes(Array("Zoë!".utf8)))
        #expect(raw?[3] == .enumIndex(2))
        #expect(raw?[6] == .bytes([0xE9, 0x80]))

        let described = try minimal.describing([
            ColumnSchema(name: "id", isUnsigned: true), ColumnSchema(name: "name", collationID: 255),
            ColumnSchema(name: "doc"), ColumnSchema(name: "role", collationID: 255, members: ["admin", "user"]),
            ColumnSchema(name: "born"), ColumnSchema(name: "score"), ColumnSchema(name: "legacy", collationID: 8),
        ])
        #expect(described.columnNames == ["id", "name", "doc", "role", "born", "score", "legacy"])
        let decoded = try rows.rows(using: described)[0].after
        #expect(decoded?[0] == .uint(.max))
        #expect(decoded?[1] == .text("Zoë!"))
        #expect(decoded?[3] == .enumeration("user"))
        #expect(decoded?[6] == .text("é€"))

        #expect(throws: BinlogDecodeError.self) { try minimal.describing([ColumnSchema(name: "id")]) }
    }

    @Test func metadataFromTheBinlogWinsOverTheCache() throws {
        let events = try MySQLEvents.decodeAll([MySQLEvents.formatDescription, MySQLEvents.tableMap()])
        guard case .tableMap(let full) = events[1] else {
            Issue.record("no TABLE_MAP")
            return
        }
        let described = try full.describing((0..<7).map { ColumnSchema(name: "c\($0)", isUnsigned: false, collationID: 63) })
        #expect(described.columnNames == full.columnNames)
        #expect(described.columns[0].isUnsigned)
        #expect(described.columns[6].collationID == 8)
    }
}
