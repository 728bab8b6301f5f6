import Foundation
import SQLClients
import TestSupport

/// Event type codes the tests look for (MariaDB sql/log_event.h).
enum EventType {
    static let rotate: UInt8 = 4
    static let formatDescription: UInt8 = 15
    static let xid: UInt8 = 16
    static let tableMap: UInt8 = 19
    static let writeRowsV1: UInt8 = 23
    static let heartbeat: UInt8 = 27
    static let mariaDBGTID: UInt8 = 162
}

/// LOG_EVENT_ARTIFICIAL_F: the fake ROTATE (and FORMAT_DESCRIPTION) a dump starts with.
let artificialFlag: UInt16 = 0x20

/// A replica id no other test uses at the same time: the server drops an older replica
/// connection that announces the same id.
func uniqueServerID() -> UInt32 {
    UInt32.random(in: 100_000...4_000_000_000)
}

/// A stream on the test server.
func openStream(
    from start: BinlogStart, nonBlocking: Bool = true, heartbeat: Duration = .seconds(10)
) throws -> MariaDBReplicationStream {
    let url = try TestServers.mariaDBURL()
    return try MariaDBReplicationStream(
        host: url.host, port: url.port, user: url.user, password: url.password, serverID: uniqueServerID(),
        start: start, heartbeat: heartbeat, nonBlocking: nonBlocking
    )
}

/// Every event of a non-blocking stream, to its end.
func readToEnd(_ stream: MariaDBReplicationStream) throws -> [RawBinlogEvent] {
    var events: [RawBinlogEvent] = []
    while let event = try stream.fetch() {
        events.append(event)
    }
    return events
}

extension RawBinlogEvent {
    /// Whether the event's bytes contain `text` in UTF-8 (a table name in a TABLE_MAP, a
    /// VARCHAR value in a row image).
    func contains(_ text: String) -> Bool {
        let needle = Array(text.utf8)
        guard needle.count <= bytes.count else { return false }
        for start in 0...(bytes.count - needle.count) where bytes[start] == needle[0] {
            if Array(bytes[start..<(start + needle.count)]) == needle {
                return true
            }
        }
        return false
    }

    func uint32(at offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * $1) }
    }

    func uint64(at offset: Int) -> UInt64 {
        (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * $1) }
    }
}

/// CRC-32 (ISO-HDLC, reflected polynomial 0xEDB88320), as the binlog footer uses (zlib's crc32).
func crc32(_ bytes: some Sequence<UInt8>) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 {
            crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1
        }
    }
    return ~crc
}

/// Builds an event from a type code and body, with a correct header, for tests that need no
/// server.
func syntheticEvent(type: UInt8, nextPosition: UInt32, body: [UInt8] = []) -> RawBinlogEvent {
    let length = UInt32(RawBinlogEvent.headerLength + body.count)
    func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
    let header = le32(1_700_000_000) + [type] + le32(1) + le32(length) + le32(nextPosition) + [0, 0]
    return RawBinlogEvent(bytes: header + body)!
}
