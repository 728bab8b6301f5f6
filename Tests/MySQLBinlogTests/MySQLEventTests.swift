import Directory
import Testing
import MySQLBinlog

/// MySQL 8 events from hand-built bytes: v2 rows events, GTIDs, optional metadata, binary JSON.
@Suite struct MySQLEventTests {
    let events: [BinlogEvent]

    init() throws {
        events = try MySQLEvents.decodeAll(MySQLEvents.transaction)
    }

    @Test func formatDescription() {
        guard case .formatDescription(let format) = events[0] else {
            Issue.record("no FORMAT_DESCRIPTION")
            return
        }
        #expect(format.flavor == .mysql)
        #expect(format.serverVersion == "8.0.36")
        #expect(format.checksum == .crc32)
        #expect(format.postHeaderLength(of: .writeRowsV2) == 10)
    }

    @Test func previousGTIDs() {
        guard case .previousGTIDs(let previous) = events[1] else {
            Issue.record("no PREVIOUS_GTIDS")
            return
        }
        #expect(previous.gtidSet == "\(MySQLEvents.uuid):1-5:7")
    }

    @Test func gtid() throws {
        guard case .mysqlGTID(let gtid) = events[2] else {
            Issue.record("no GTID_LOG")
            return
        }
        #expect(gtid.gtid == "\(MySQLEvents.uuid):42")
        #expect(gtid.lastCommitted == 7)
        #expect(gtid.sequenceNumber == 8)
        #expect(gtid.immediateCommitTimestamp == 1_700_000_000_123_456)
        #expect(gtid.originalCommitTimestamp == 1_699_999_999_000_000)
        #expect(gtid.transactionLength == 300)
        let anonymous = try MySQLEvents.decodeAll([MySQLEvents.formatDescription, MySQLEvents.gtid(anonymous: true)])
        guard case .mysqlGTID(let none) = anonymous[1] else {
            Issue.record("no ANONYMOUS_GTID_LOG")
            return
        }
        #expect(none.isAnonymous)
        #expect(none.gtid == nil)
    }

    @Test func tableMapWithOptionalMetadata() {
        guard case .tableMap(let map) = events[4] else {
            Issue.record("no TABLE_MAP")
            return
        }
        #expect(map.qualifiedName == "app.users")
        #expect(map.tableID == MySQLEvents.tableID)
        #expect(map.columnNames == ["id", "name", "doc", "role", "born", "score", "legacy"])
        #expect(map.columns.map(\.type) == [.longLong, .varchar, .json, .enumeration, .date, .newDecimal, .string])
        #expect(map.columns.map(\.isUnsigned) == [true, false, false, false, false, false, false])
        #expect(map.columns.map(\.isNullable) == [false, true, true, true, true, true, true])
        #expect(map.columns[1].collationID == 255)
        #expect(map.columns[6].collationID == 8)
        #expect(map.columns[3].members == ["admin", "user"])
        #expect(map.columns[5].length == 5)
        #expect(map.columns[5].scale == 2)
        #expect(map.primaryKey == [0])
    }

    @Test func writeRowsV2() throws {
        guard case .tableMap(let map) = events[4], case .rows(let rows) = events[5] else {
            Issue.record("no TABLE_MAP + WRITE_ROWS")
            return
        }
        #expect(rows.version == 2)
        #expect(rows.kind == .write)
        #expect(rows.isStatementEnd)
        let images = try rows.rows(using: map)
        #expect(images == [
            RowImages(before: nil, after: [
                .uint(.max), .text("Zoë!"), .json("{\"a\": 1, \"b\": [true, \"xy\"]}"), .enumeration("user"), .null,
                .decimal("-12.34"), .text("é€"),
            ]),
            RowImages(before: nil, after: [
                .uint(1), .text(""), .json("null"), .enumeration(""), .date(SQLDate(year: 2024, month: 2, day: 29)),
                .decimal("0.00"), .null,
            ]),
        ])
    }

    @Test func partialImagesHaveAbsentColumns() throws {
        guard case .tableMap(let map) = events[4], case .rows(let update) = events[6], case .rows(let delete) = events[7] else {
            Issue.record("no UPDATE/DELETE_ROWS")
            return
        }
        let absent = Array(repeating: BinlogValue.absent, count: 5)
        #expect(try update.rows(using: map) == [
            RowImages(before: [.uint(1)] + absent + [.absent], after: [.absent, .text("Ann")] + absent),
        ])
        #expect(try delete.rows(using: map) == [RowImages(before: [.uint(1)] + absent + [.absent], after: nil)])
    }

    @Test func rowsNeedTheirOwnTableMap() throws {
        guard case .tableMap(var map) = events[4], case .rows(let rows) = events[5] else {
            Issue.record("no TABLE_MAP + WRITE_ROWS")
            return
        }
        map.tableID = 5
        #expect(throws: BinlogDecodeError.self) { try rows.rows(using: map) }
    }

    @Test func transactionCompressionIsRefusedByName() throws {
        let payload = EventBuilder.event(type: 40, body: [1, 2, 3, 4])
        do {
            _ = try MySQLEvents.decodeAll([MySQLEvents.formatDescription, payload])
            Issue.record("TRANSACTION_PAYLOAD decoded")
        } catch {
            #expect(error.reason == .transactionCompressionUnsupported)
            #expect(error.eventTypeCode == 40)
            #expect(error.description.contains("binlog_transaction_compression"))
        }
    }

    @Test func mariaDBCompressedRowsAreRefusedByName() throws {
        for type: UInt8 in [165, 166, 169, 171] {
            let event = EventBuilder.event(type: type, body: [1, 2, 3, 4])
            do {
                _ = try MySQLEvents.decodeAll([MySQLEvents.formatDescription, event])
                Issue.record("compressed event \(type) decoded")
            } catch {
                #expect(error.reason == .unsupportedEvent(setting: "log_bin_compress"))
            }
        }
    }

    @Test func heartbeats() throws {
        let v1 = EventBuilder.event(type: 27, body: Array("binlog.000007".utf8), nextPosition: 1234)
        var body = EventBuilder()
        body.u8(1)
        body.packed(13)
        body.text("binlog.000008")
        body.u8(2)
        body.packed(3)
        body.raw([0xFC, 0xD2, 0x04])
        body.u8(0)
        let v2 = EventBuilder.event(type: 41, body: body.bytes)
        let decoded = try MySQLEvents.decodeAll([MySQLEvents.formatDescription, v1, v2])
        guard case .heartbeat(let first) = decoded[1], case .heartbeat(let second) = decoded[2] else {
            Issue.record("no heartbeats")
            return
        }
        #expect(first.file == "binlog.000007")
        #expect(first.position == 1234)
        #expect(second.file == "binlog.000008")
        #expect(second.position == 1234)
    }

    @Test func eventsBeforeAFormatDescriptionHaveNoChecksum() throws {
        var body = EventBuilder()
        body.le(4, 8)
        body.text("binlog.000009")
        let rotate = EventBuilder.event(type: 4, body: body.bytes, flags: 0x20, checksum: false)
        var decoder = BinlogEventDecoder()
        guard case .rotate(let decoded) = try decoder.decode(rotate, position: BinlogPosition(file: "", offset: 0)) else {
            Issue.record("no ROTATE")
            return
        }
        #expect(decoded.nextFile == "binlog.000009")
        #expect(decoded.position == 4)
        #expect(decoded.header.isArtificial)
    }

    @Test func preDecimalColumnsAreRefusedNotGuessed() throws {
        // A table with a pre-5.0 DECIMAL (type 0) column: its values cannot be read.
        var body = EventBuilder()
        body.le(9, 6)
        body.le(1, 2)
        body.u8(1)
        body.text("a")
        body.u8(0)
        body.u8(1)
        body.text("t")
        body.u8(0)
        body.packed(1)
        body.u8(0)
        body.packed(0)
        body.u8(1)
        let map = EventBuilder.event(type: 19, body: body.bytes)
        var rows = EventBuilder()
        rows.le(9, 6)
        rows.le(1, 2)
        rows.le(2, 2)
        rows.packed(1)
        rows.u8(1)
        rows.u8(0)
        rows.raw([1, 2, 3, 4])
        let write = EventBuilder.event(type: 30, body: rows.bytes)
        let events = try MySQLEvents.decodeAll([MySQLEvents.formatDescription, map, write])
        guard case .tableMap(let table) = events[1], case .rows(let decoded) = events[2] else {
            Issue.record("no TABLE_MAP + WRITE_ROWS")
            return
        }
        do {
            _ = try decoded.rows(using: table)
            Issue.record("an old DECIMAL decoded")
        } catch {
            #expect(error.reason == .unsupportedColumnType(column: 0, typeCode: 0))
            #expect(error.description.contains("column 1 has column type 0"))
        }
        // Counting the rows without decoding them (as tail does) stops at the same column.
        do {
            _ = try decoded.rowCount(using: table)
            Issue.record("an old DECIMAL counted")
        } catch {
            #expect(error.reason == .unsupportedColumnType(column: 0, typeCode: 0))
        }
    }
}
