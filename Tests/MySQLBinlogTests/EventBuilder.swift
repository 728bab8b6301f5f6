import MySQLBinlog

/// Builds event bytes by hand for what the MariaDB fixtures cannot show (MySQL events).
struct EventBuilder {
    var bytes: [UInt8] = []

    mutating func u8(_ value: UInt8) { bytes.append(value) }
    mutating func le(_ value: UInt64, _ count: Int) {
        for index in 0..<count { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(index)))) }
    }
    mutating func be(_ value: UInt64, _ count: Int) {
        for index in (0..<count).reversed() { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(index)))) }
    }
    mutating func packed(_ value: Int) {
        if value < 251 {
            u8(UInt8(value))
        } else {
            u8(0xFC)
            le(UInt64(value), 2)
        }
    }
    mutating func raw(_ values: [UInt8]) { bytes += values }
    mutating func text(_ value: String) { bytes += Array(value.utf8) }

    /// A whole event: 19-byte header, `body`, and a CRC32 footer when `checksum`.
    static func event(
        type: UInt8, body: [UInt8], timestamp: UInt32 = 1_700_000_000, serverID: UInt32 = 1, nextPosition: UInt32 = 0,
        flags: UInt16 = 0, checksum: Bool = true
    ) -> [UInt8] {
        var builder = EventBuilder()
        let size = 19 + body.count + (checksum ? 4 : 0)
        builder.le(UInt64(timestamp), 4)
        builder.u8(type)
        builder.le(UInt64(serverID), 4)
        builder.le(UInt64(size), 4)
        builder.le(UInt64(nextPosition), 4)
        builder.le(UInt64(flags), 2)
        builder.raw(body)
        if checksum {
            builder.le(UInt64(CRC32.checksum(builder.bytes)), 4)
        }
        return builder.bytes
    }

    /// A MySQL 8.0 FORMAT_DESCRIPTION_EVENT with CRC32 checksums.
    static func mysqlFormatDescription(version: String = "8.0.36", checksum: Bool = true) -> [UInt8] {
        var body = EventBuilder()
        body.le(4, 2)
        var versionBytes = Array(version.utf8)
        versionBytes += Array(repeating: 0, count: 50 - versionBytes.count)
        body.raw(versionBytes)
        body.le(0, 4)
        body.u8(19)
        // MySQL 8.0 post-header lengths, types 1…41 (`binlog_event.h`, server_event_header_length).
        var lengths = [UInt8](repeating: 0, count: 41)
        lengths[BinlogEventTypeIndex.query] = 13
        lengths[BinlogEventTypeIndex.rotate] = 8
        lengths[BinlogEventTypeIndex.formatDescription] = 98
        lengths[BinlogEventTypeIndex.tableMap] = 8
        for rows in BinlogEventTypeIndex.rowsV2 { lengths[rows] = 10 }
        lengths[BinlogEventTypeIndex.gtid] = 42
        lengths[BinlogEventTypeIndex.anonymousGTID] = 42
        body.raw(lengths)
        body.u8(checksum ? 1 : 0)
        var event = EventBuilder.event(type: 15, body: body.bytes, checksum: false)
        // Size the event for its footer, then checksum it.
        let size = event.count + 4
        event[9] = UInt8(size & 0xFF)
        event[10] = UInt8(size >> 8)
        var footer = EventBuilder()
        footer.le(UInt64(checksum ? CRC32.checksum(event) : 0), 4)
        return event + footer.bytes
    }
}

enum BinlogEventTypeIndex {
    static let query = 1
    static let rotate = 3
    static let formatDescription = 14
    static let tableMap = 18
    static let rowsV2 = [29, 30, 31]
    static let gtid = 32
    static let anonymousGTID = 33
}

extension EventBuilder {
    /// The CRC32 footer of `event`'s bytes.
    static func crcFooter(_ event: [UInt8]) -> [UInt8] {
        var footer = EventBuilder()
        footer.le(UInt64(CRC32.checksum(event)), 4)
        return footer.bytes
    }
}
