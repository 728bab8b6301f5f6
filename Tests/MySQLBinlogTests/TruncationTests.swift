import Testing
@testable import MySQLBinlog

/// Every event cut short at every length must throw, never crash or read past its end.
@Suite struct TruncationTests {
    /// Every whole event of both fixtures and the hand-built MySQL ones, each with the format
    /// it is decoded under.
    static func allEvents() throws -> [(format: [UInt8], event: [UInt8])] {
        var result: [(format: [UInt8], event: [UInt8])] = []
        for file in ["binlog.000001", "binlog.000002"] {
            let bytes = try Fixtures.bytes(file)
            var reader = try BinlogFileReader(file: file, bytes: bytes)
            var format: [UInt8] = []
            var offset = 4
            while let (event, _) = try reader.next() {
                let size = Int(event.header.eventSize)
                let slice = Array(bytes[offset..<(offset + size)])
                if case .formatDescription = event { format = slice }
                result.append((format, slice))
                offset += size
            }
        }
        for event in MySQLEvents.transaction {
            result.append((MySQLEvents.formatDescription, event))
        }
        return result
    }

    @Test func cutEventsThrow() throws {
        var cases = 0
        for (format, event) in try Self.allEvents() {
            for length in 0..<event.count {
                var decoder = BinlogEventDecoder()
                if format != event { _ = try decoder.decode(format, position: BinlogPosition(file: "f", offset: 4)) }
                #expect(throws: BinlogDecodeError.self) {
                    try decoder.decode(Array(event[..<length]), position: BinlogPosition(file: "f", offset: 4))
                }
                cases += 1
            }
        }
        #expect(cases > 10_000)
    }

    /// The header's size rewritten to match the cut, checksums off: every body parser meets
    /// the short input itself. It must throw, or (where the format cannot tell, e.g. text to
    /// the end of the event) decode a shorter event; rows must throw or decode fewer rows.
    @Test func cutBodiesNeverReadPastTheirEnd() throws {
        for (format, event) in try Self.allEvents() where format != event {
            var full = BinlogEventDecoder(verifiesChecksums: false)
            _ = try full.decode(format, position: BinlogPosition(file: "f", offset: 4))
            var tables: [UInt64: TableMapEvent] = [:]
            let whole = try full.decode(event, position: BinlogPosition(file: "f", offset: 4))
            if case .tableMap(let map) = whole { tables[map.tableID] = map }
            for length in 19..<event.count {
                var cut = Array(event[..<length])
                cut[9] = UInt8(length & 0xFF)
                cut[10] = UInt8(length >> 8 & 0xFF)
                var decoder = full
                do {
                    let decoded = try decoder.decode(cut, position: BinlogPosition(file: "f", offset: 4))
                    if case .rows(let rows) = decoded, case .rows(let original) = whole,
                        let map = Self.tableMaps[rows.tableID]
                    {
                        do {
                            let short = try rows.rows(using: map)
                            let complete = try original.rows(using: map)
                            #expect(short.count < complete.count)
                            #expect(Array(complete.prefix(short.count)) == short)
                        } catch {
                            continue
                        }
                    }
                } catch {
                    continue
                }
            }
        }
    }

    static let tableMaps: [UInt64: TableMapEvent] = {
        var maps: [UInt64: TableMapEvent] = [:]
        for file in ["binlog.000001", "binlog.000002"] {
            for (event, _) in (try? Fixtures.events(file)) ?? [] {
                if case .tableMap(let map) = event { maps[map.tableID] = map }
            }
        }
        if case .tableMap(let map)? = try? MySQLEvents.decodeAll([MySQLEvents.formatDescription, MySQLEvents.tableMap()]).last {
            maps[map.tableID] = map
        }
        return maps
    }()

    @Test func aFileCutAnywhereThrowsOrEndsOnAnEventBoundary() throws {
        let bytes = try Fixtures.bytes("binlog.000002")
        var boundaries: Set<Int> = [4]
        var reader = try BinlogFileReader(file: "binlog.000002", bytes: bytes)
        while let (event, position) = try reader.next() {
            boundaries.insert(Int(position.offset) + Int(event.header.eventSize))
        }
        for length in stride(from: 4, to: bytes.count, by: 7) {
            var cut = try BinlogFileReader(file: "binlog.000002", bytes: Array(bytes[..<length]))
            if boundaries.contains(length) {
                #expect(throws: Never.self) { try cut.readAll() }
            } else {
                #expect(throws: BinlogDecodeError.self) { try cut.readAll() }
            }
        }
        #expect(throws: BinlogDecodeError.self) { try BinlogFileReader(file: "x", bytes: [0xFE, 0x62, 0x69]) }
    }
}

@Suite struct DecodeErrorTests {
    @Test func descriptionNamesWhatAndWhereButNeverTheBytes() throws {
        var bytes = try Fixtures.bytes("binlog.000002")
        // Cut the WRITE_ROWS at 1129 (Ann, Bob) inside the first row's `age` and declare it
        // that short (the last 4 bytes stand for the checksum footer).
        let start = 1129
        var event = Array(bytes[start..<(start + 44)])
        event[9] = 44
        event[10] = 0
        bytes = []
        var decoder = BinlogEventDecoder(verifiesChecksums: false)
        let format = try Fixtures.bytes("binlog.000002")
        _ = try decoder.decode(Array(format[4..<256]), position: BinlogPosition(file: "binlog.000002", offset: 4))
        let decoded = try decoder.decode(event, position: BinlogPosition(file: "binlog.000002", offset: 1129))
        guard case .rows(let rows) = decoded else {
            Issue.record("not a rows event")
            return
        }
        let map = try #require(TruncationTests.tableMaps[rows.tableID])
        do {
            _ = try rows.rows(using: map)
            Issue.record("a cut row image decoded")
        } catch {
            #expect(error.position == BinlogPosition(file: "binlog.000002", offset: 1129))
            #expect(error.eventTypeCode == 23)
            #expect(error.description.hasPrefix("cannot decode binlog event WRITE_ROWS_EVENT_V1 at binlog.000002:1129: the event is truncated"))
            #expect(!error.description.contains("Ann"))
            #expect(!error.description.contains("41 6e 6e"))
            #expect(String(reflecting: error).contains("41 6e 6e"))  // "Ann", for debugging only
        }
    }

    @Test func sizeMismatch() {
        var decoder = BinlogEventDecoder()
        let event = EventBuilder.event(type: 16, body: [1, 2, 3, 4, 5, 6, 7, 8], checksum: false)
        #expect(throws: BinlogDecodeError(
            reason: .sizeMismatch(header: 27, actual: 28), position: BinlogPosition(file: "f", offset: 9),
            eventTypeCode: 16, leadingBytes: event + [0]
        )) {
            try decoder.decode(event + [0], position: BinlogPosition(file: "f", offset: 9))
        }
    }
}
