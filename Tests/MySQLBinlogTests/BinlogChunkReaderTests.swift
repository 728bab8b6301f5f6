import Testing
@testable import MySQLBinlog

/// A binlog handed over in chunks decodes to the same events, at the same positions, as the
/// whole file does, whatever the chunk size.
@Suite struct BinlogChunkReaderTests {
    static func chunked(
        _ bytes: [UInt8], file: String, chunk: Int
    ) throws -> (events: [(event: BinlogEvent, position: BinlogPosition)], reader: BinlogChunkReader) {
        var reader = BinlogChunkReader(file: file)
        var events: [(event: BinlogEvent, position: BinlogPosition)] = []
        var index = 0
        while index < bytes.count {
            reader.append(Array(bytes[index..<min(index + chunk, bytes.count)]))
            index += chunk
            while let next = try reader.next() {
                events.append(next)
            }
        }
        return (events, reader)
    }

    @Test(arguments: ["binlog.000001", "binlog.000002"], [1, 3, 19, 100, 4096, 1 << 20])
    func sameEventsAsTheWholeFile(file: String, chunk: Int) throws {
        let bytes = try Fixtures.bytes(file)
        let whole = try Fixtures.events(file)
        let (events, reader) = try Self.chunked(bytes, file: file, chunk: chunk)
        #expect(events.count == whole.count)
        #expect(events.map(\.event) == whole.map(\.event))
        #expect(events.map(\.position) == whole.map(\.position))
        #expect(reader.offset == UInt64(bytes.count))
        #expect(reader.bufferedByteCount == 0)
        #expect(throws: Never.self) { try reader.finish() }
    }

    @Test func rowsDecodeFromChunks() throws {
        let bytes = try Fixtures.bytes("binlog.000002")
        let (events, _) = try Self.chunked(bytes, file: "binlog.000002", chunk: 7)
        var maps: [UInt64: TableMapEvent] = [:]
        var rows: [RowImages] = []
        for (event, _) in events {
            switch event {
            case .tableMap(let map): maps[map.tableID] = map
            case .rows(let event): rows += try event.rows(using: try #require(maps[event.tableID]))
            default: continue
            }
        }
        var wholeRows: [RowImages] = []
        maps = [:]
        for (event, _) in try Fixtures.events("binlog.000002") {
            switch event {
            case .tableMap(let map): maps[map.tableID] = map
            case .rows(let event): wholeRows += try event.rows(using: try #require(maps[event.tableID]))
            default: continue
            }
        }
        #expect(rows.count > 5)
        #expect(rows == wholeRows)
    }

    @Test func fileEndingInsideAnEventThrowsTruncatedAtItsStart() throws {
        let bytes = try Fixtures.bytes("binlog.000002")
        let whole = try Fixtures.events("binlog.000002")
        let last = try #require(whole.last)
        let lastStart = Int(last.position.offset)
        for cut in [lastStart + 1, lastStart + 18, lastStart + 19, bytes.count - 1] {
            let (events, reader) = try Self.chunked(Array(bytes[..<cut]), file: "binlog.000002", chunk: 64)
            #expect(events.count == whole.count - 1)
            #expect(reader.offset == UInt64(lastStart))
            let error = try #require(throws: BinlogDecodeError.self) { try reader.finish() }
            #expect(error.position == last.position)
            let needed = cut - lastStart >= 19 ? Int(last.event.header.eventSize) : 19
            #expect(error.reason == .truncated(offset: 0, needed: needed, available: cut - lastStart))
        }
        // Cut at an event boundary: a clean end.
        let (_, clean) = try Self.chunked(Array(bytes[..<lastStart]), file: "binlog.000002", chunk: 64)
        #expect(throws: Never.self) { try clean.finish() }
    }

    @Test func notABinlogFile() throws {
        var reader = BinlogChunkReader(file: "x")
        reader.append([0xFE, 0x62, 0x69, 0x6F, 0, 0])
        let error = try #require(throws: BinlogDecodeError.self) { try reader.next() }
        #expect(error.reason == .notABinlogFile)

        var short = BinlogChunkReader(file: "x")
        short.append([0xFE, 0x62, 0x69])
        #expect(try short.next() == nil)
        let shortError = try #require(throws: BinlogDecodeError.self) { try short.finish() }
        #expect(shortError.reason == .notABinlogFile)
    }

    @Test func eventSizeBelowTheHeaderThrows() throws {
        var reader = BinlogChunkReader(file: "x")
        var bytes = BinlogFileReader.magic
        bytes += [0, 0, 0, 0, 0x0F, 1, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        reader.append(bytes)
        let error = try #require(throws: BinlogDecodeError.self) { try reader.next() }
        #expect(error.reason == .truncated(offset: 0, needed: 19, available: 5))
        #expect(error.position == BinlogPosition(file: "x", offset: 4))
    }
}
