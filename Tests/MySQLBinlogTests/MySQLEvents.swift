import MySQLBinlog

/// Hand-built MySQL 8 events (the fixtures come from MariaDB, which writes none of these).
enum MySQLEvents {
    static let sid: [UInt8] = [
        0x3E, 0x11, 0xFA, 0x47, 0x71, 0xCA, 0x11, 0xE1, 0x9E, 0x33, 0xC8, 0x0A, 0xA9, 0x42, 0x95, 0x62,
    ]
    static let uuid = "3e11fa47-71ca-11e1-9e33-c80aa9429562"

    static let formatDescription = EventBuilder.mysqlFormatDescription()

    static func gtid(gno: UInt64 = 42, anonymous: Bool = false) -> [UInt8] {
        var body = EventBuilder()
        body.u8(1)
        body.raw(anonymous ? Array(repeating: 0, count: 16) : sid)
        body.le(anonymous ? 0 : gno, 8)
        body.u8(2)
        body.le(7, 8)
        body.le(8, 8)
        body.le(1_700_000_000_123_456 | 1 << 55, 7)
        body.le(1_699_999_999_000_000, 7)
        body.packed(300)
        body.le(80036, 4)
        return EventBuilder.event(type: anonymous ? 34 : 33, body: body.bytes, nextPosition: 300)
    }

    static func previousGTIDs() -> [UInt8] {
        var body = EventBuilder()
        body.le(1, 8)
        body.raw(sid)
        body.le(2, 8)
        body.le(1, 8)
        body.le(6, 8)
        body.le(7, 8)
        body.le(8, 8)
        return EventBuilder.event(type: 35, body: body.bytes, nextPosition: 200)
    }

    static func query(_ statement: String, schema: String = "app", nextPosition: UInt32) -> [UInt8] {
        var body = EventBuilder()
        body.le(99, 4)
        body.le(0, 4)
        body.u8(UInt8(schema.utf8.count))
        body.le(0, 2)
        body.le(0, 2)
        body.text(schema)
        body.u8(0)
        body.text(statement)
        return EventBuilder.event(type: 2, body: body.bytes, nextPosition: nextPosition)
    }

    static func xid(nextPosition: UInt32, timestamp: UInt32 = 1_700_000_123) -> [UInt8] {
        var body = EventBuilder()
        body.le(777, 8)
        return EventBuilder.event(type: 16, body: body.bytes, timestamp: timestamp, nextPosition: nextPosition)
    }

    static let tableID: UInt64 = 0x71

    /// app.users: id BIGINT UNSIGNED PK, name VARCHAR(40) utf8mb4, doc JSON,
    /// role ENUM('admin','user'), born DATE, score DECIMAL(5,2), legacy CHAR(3) latin1.
    static func tableMap(tableID: UInt64 = tableID, names: Bool = true, minimal: Bool = false) -> [UInt8] {
        var body = EventBuilder()
        body.le(tableID, 6)
        body.le(1, 2)
        body.u8(3)
        body.text("app")
        body.u8(0)
        body.u8(5)
        body.text("users")
        body.u8(0)
        body.packed(7)
        body.raw([8, 15, 245, 254, 10, 246, 254])
        let metadata: [UInt8] = [160, 0, 4, 247, 1, 5, 2, 254, 3]
        body.packed(metadata.count)
        body.raw(metadata)
        body.u8(0x7E)
        if minimal {
            return EventBuilder.event(type: 19, body: body.bytes, nextPosition: 400)
        }
        // SIGNEDNESS: id unsigned, score signed.
        body.u8(1)
        body.packed(1)
        body.u8(0x80)
        // DEFAULT_CHARSET: utf8mb4_0900_ai_ci (255); character column 1 (legacy) latin1_swedish_ci.
        body.u8(2)
        body.packed(5)
        body.raw([0xFC, 0xFF, 0x00, 0x01, 0x08])
        if names {
            var columnNames = EventBuilder()
            for name in ["id", "name", "doc", "role", "born", "score", "legacy"] {
                columnNames.packed(name.utf8.count)
                columnNames.text(name)
            }
            body.u8(4)
            body.packed(columnNames.bytes.count)
            body.raw(columnNames.bytes)
        }
        // ENUM_STR_VALUE.
        var members = EventBuilder()
        members.packed(2)
        for member in ["admin", "user"] {
            members.packed(member.utf8.count)
            members.text(member)
        }
        body.u8(6)
        body.packed(members.bytes.count)
        body.raw(members.bytes)
        // SIMPLE_PRIMARY_KEY: column 0.
        body.u8(8)
        body.packed(1)
        body.u8(0)
        // ENUM_AND_SET_DEFAULT_CHARSET.
        body.u8(10)
        body.packed(3)
        body.raw([0xFC, 0xFF, 0x00])
        return EventBuilder.event(type: 19, body: body.bytes, nextPosition: 400)
    }

    /// `{"a": 1, "b": [true, "xy"]}` in MySQL binary JSON (small object, inlined int16 and
    /// literal, string by offset).
    static let json: [UInt8] = [
        0x00, 0x02, 0x00, 0x21, 0x00, 0x12, 0x00, 0x01, 0x00, 0x13, 0x00, 0x01, 0x00, 0x05, 0x01, 0x00, 0x02, 0x14,
        0x00, 0x61, 0x62, 0x02, 0x00, 0x0D, 0x00, 0x04, 0x01, 0x00, 0x0C, 0x0A, 0x00, 0x02, 0x78, 0x79,
    ]

    static func rowsHeader(type: UInt8, present: [UInt8], tableID: UInt64 = tableID) -> EventBuilder {
        var body = EventBuilder()
        body.le(tableID, 6)
        body.le(1, 2)
        body.le(5, 2)  // extra data: its own 2 bytes plus 3
        body.raw([0x00, 0x01, 0x00])
        body.packed(7)
        body.raw(present)
        return body
    }

    /// Two inserted rows.
    static func writeRows() -> [UInt8] {
        var body = rowsHeader(type: 30, present: [0x7F])
        // Row 1: born NULL.
        body.u8(0x10)
        body.le(.max, 8)
        body.u8(5)
        body.raw([0x5A, 0x6F, 0xC3, 0xAB, 0x21])  // "Zoë!"
        body.le(UInt64(json.count), 4)
        body.raw(json)
        body.u8(2)
        body.raw([0x7F, 0xF3, 0xDD])  // -12.34
        body.raw([0x02, 0xE9, 0x80])  // latin1 "é€"
        // Row 2: legacy NULL.
        body.u8(0x40)
        body.le(1, 8)
        body.u8(0)
        body.le(0, 4)  // empty JSON
        body.u8(0)  // ENUM error value
        body.le(29 | 2 << 5 | 2024 << 9, 3)
        body.raw([0x80, 0x00, 0x00])  // 0.00
        return EventBuilder.event(type: 30, body: body.bytes, nextPosition: 500)
    }

    /// An update with minimal images: id before, name after.
    static func updateRows() -> [UInt8] {
        var body = rowsHeader(type: 31, present: [0x01])
        body.raw([0x02])
        body.u8(0)
        body.le(1, 8)
        body.u8(0)
        body.u8(3)
        body.text("Ann")
        return EventBuilder.event(type: 31, body: body.bytes, nextPosition: 550)
    }

    static func deleteRows() -> [UInt8] {
        var body = rowsHeader(type: 32, present: [0x01])
        body.u8(0)
        body.le(1, 8)
        return EventBuilder.event(type: 32, body: body.bytes, nextPosition: 600)
    }

    /// FDE, PREVIOUS_GTIDS, GTID, BEGIN, TABLE_MAP, WRITE, UPDATE, DELETE, XID.
    static var transaction: [[UInt8]] {
        [
            formatDescription, previousGTIDs(), gtid(), query("BEGIN", nextPosition: 350), tableMap(), writeRows(),
            updateRows(), deleteRows(), xid(nextPosition: 631),
        ]
    }

    static func decodeAll(_ events: [[UInt8]], file: String = "binlog.000007") throws(BinlogDecodeError) -> [BinlogEvent] {
        var decoder = BinlogEventDecoder()
        var offset: UInt64 = 4
        var result: [BinlogEvent] = []
        for bytes in events {
            result.append(try decoder.decode(bytes, position: BinlogPosition(file: file, offset: offset)))
            offset += UInt64(bytes.count)
        }
        return result
    }
}
