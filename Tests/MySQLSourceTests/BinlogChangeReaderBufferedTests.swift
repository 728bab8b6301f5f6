import Foundation
import MySQLBinlog
import MySQLSource
import SQLClients
import Testing

/// `nextBuffered()`: what a group commit calls for more, so that it never waits for the server.
@Suite struct BinlogChangeReaderBufferedTests {
    struct NoCatalog: Error {}

    /// A HEARTBEAT with the CRC32 footer the fixture's FORMAT_DESCRIPTION announces.
    func heartbeat() throws -> RawBinlogEvent {
        var bytes = syntheticEvent(type: EventType.heartbeat, nextPosition: 4, body: Array("binlog.000002".utf8) + [0, 0, 0, 0])
            .bytes
        let crc = CRC32.checksum(Array(bytes.dropLast(4)))
        for index in 0..<4 { bytes[bytes.count - 4 + index] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(index))) }
        return try #require(RawBinlogEvent(bytes: bytes))
    }

    /// The events of a MariaDB binlog file of the MySQLBinlog tests' fixtures, as a stream sends them.
    func fixtureEvents(_ name: String) throws -> [RawBinlogEvent] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("MySQLBinlogTests/Fixtures/\(name)")
        let bytes = [UInt8](try Data(contentsOf: url))
        var events: [RawBinlogEvent] = []
        var offset = 4
        while offset + RawBinlogEvent.headerLength <= bytes.count {
            let size = (9..<13).reduce(0) { $0 | Int(bytes[offset + $1]) << (8 * ($1 - 9)) }
            events.append(try #require(RawBinlogEvent(bytes: Array(bytes[offset..<(offset + size)]))))
            offset += size
        }
        return events
    }

    /// A reader of `events`, whose source then stays silent until the reader stops. No table is
    /// wanted, so no catalog is asked; transactions still come, without rows.
    func reader(_ events: [RawBinlogEvent], probe: SourceProbe) -> BinlogChangeReader {
        BinlogChangeReader(
            configuration: .init(
                host: "", port: 0, user: "", password: "", serverID: 1, filter: TableFilter(tables: ["nobody.wanted"])),
            start: .filePosition(file: "binlog.000002", position: 4),
            catalog: SourceCatalog { throw NoCatalog() }
        ) { _ in
            ScriptedSource(events: events, ending: .blockUntilInterrupted, probe: probe)
        }
    }

    /// Buffered events that make no output (heartbeats) are used up and nil comes back; `next()`
    /// would wait for a transaction the silent server never sends.
    @Test(.timeLimit(.minutes(2))) func bufferedEventsWithoutATransactionGiveNilWithoutWaiting() async throws {
        let file = try fixtureEvents("binlog.000002")
        let xid = try #require(file.firstIndex { $0.bytes[4] == EventType.xid })
        let script = Array(file[...xid]) + [try heartbeat(), try heartbeat()]
        let probe = SourceProbe()
        let reader = reader(script, probe: probe)
        // Up to the first transaction; a DDL before it comes first.
        var first = try await reader.next()
        while case .schemaChange? = first { first = try await reader.next() }
        guard case .transaction(let transaction)? = first else {
            Issue.record("no transaction: \(String(describing: first))")
            await reader.stop()
            return
        }
        #expect(transaction.position.offset == UInt64(file[xid].nextPosition))
        // The heartbeats are received (the reader thread fetched them) before asking.
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            let buffered = await reader.hasBufferedEvents()
            if buffered, probe.fetchCount == script.count { break }
            guard ContinuousClock.now < deadline else {
                Issue.record("the scripted events never arrived")
                await reader.stop()
                return
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(try await reader.nextBuffered() == nil)
        #expect(!(await reader.hasBufferedEvents()))
        await reader.stop()
    }
}
