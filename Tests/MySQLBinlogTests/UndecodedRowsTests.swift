import Directory
@testable import MySQLBinlog
import Testing

/// Rows kept as their events (`scimsync tail`): counted without decoding, and written as lines
/// straight from the bytes; both must agree with the decoded rows exactly, on every type the
/// fixtures hold, on partial images, and on events cut short.
@Suite struct UndecodedRowsTests {
    /// Every fixture event and the hand-built MySQL transaction (JSON, latin1, ENUM, partial
    /// images), as one stream per file.
    static func streams() throws -> [[BinlogEvent]] {
        var streams = try ["binlog.000001", "binlog.000002"].map { try Fixtures.events($0).map(\.event) }
        streams.append(try MySQLEvents.decodeAll(MySQLEvents.transaction))
        return streams
    }

    /// What an assembler hands on for `events`, and the lines its rows make: decoded and
    /// written as values, or kept as events and written from their bytes. Each output is
    /// described by its fields and its count of changes.
    static func assembled(
        _ events: [BinlogEvent], undecoded: Bool, maxChangesPerPart: Int
    ) throws -> (outputs: [String], lines: [UInt8]) {
        var assembler = TransactionAssembler(
            file: "binlog.000001", maxChangesPerPart: maxChangesPerPart, handsOnRowsAsRead: true,
            keepsRowsUndecoded: undecoded)
        var writer = RowChangeJSONWriter()
        var out = ByteOutput()
        var ends: [Int] = []
        var outputs: [String] = []
        for event in events {
            guard case .emit(let transaction) = try assembler.eventReceived(event) else { continue }
            outputs.append(
                "\(transaction.changeCount) \(transaction.position) \(transaction.gtid ?? "-") "
                    + "\(transaction.isLastPart) \(transaction.endsPart) \(transaction.isDropped)")
            if undecoded {
                #expect(transaction.changes.isEmpty)
                for rows in transaction.undecoded { try writer.appendStarts(of: rows, to: &out, ends: &ends) }
            } else {
                #expect(transaction.undecoded.isEmpty)
                for change in transaction.changes {
                    writer.appendStart(of: change, to: &out) {
                        assembler.tableMap(schema: change.schema, table: change.table)?.columns
                    }
                    out.append(UInt8(ascii: "\n"))
                }
            }
        }
        if undecoded {
            // The starts one per line, as the decoded ones are written.
            let bytes = out.bytes
            var lines: [UInt8] = []
            var start = 0
            for end in ends {
                lines += bytes[start..<end] + [UInt8(ascii: "\n")]
                start = end
            }
            #expect(start == bytes.count)
            return (outputs, lines)
        }
        return (outputs, out.bytes)
    }

    /// Bytes as text, for a failure that reads.
    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func linesFromTheBytesAreTheDecodedLines() throws {
        var lineCount = 0
        var text = ""
        for events in try Self.streams() {
            for size in [1, 3, 10_000] {
                let decoded = try Self.assembled(events, undecoded: false, maxChangesPerPart: size)
                let undecoded = try Self.assembled(events, undecoded: true, maxChangesPerPart: size)
                #expect(undecoded.outputs == decoded.outputs, "part size \(size)")
                #expect(Self.text(undecoded.lines) == Self.text(decoded.lines), "part size \(size)")
                if size == 10_000 {
                    lineCount += decoded.lines.count { $0 == UInt8(ascii: "\n") }
                    text += String(decoding: decoded.lines, as: UTF8.self)
                }
            }
        }
        // The comparison covers the types it claims: the fixtures' edge values are there.
        #expect(lineCount > 20)
        for value in [
            #""bu":18446744073709551615"#, #""d2":"-12345678901234567890123456789012345.123456789012345678901234567890""#,
            #""dt6":"9999-12-31T23:59:59.999999""#, #""vc":"😀 emoji 4-byte ✓""#, #""l1":"café €‰Œ""#,
            #""ts3":"2038-01-19T03:14:07.999Z""#, #""st":["x","z"]"#, #""op":"update""#, #""op":"delete""#,
        ] {
            #expect(text.contains(value), "\(value)")
        }
    }

    /// Each rows event cut at every length: counting its rows and writing them from the bytes
    /// fail exactly when decoding them fails, and otherwise agree with it.
    @Test func cutEventsCountAndWriteAsTheyDecode() throws {
        var compared = 0
        for (format, event) in try TruncationTests.allEvents() where format != event {
            var full = BinlogEventDecoder(verifiesChecksums: false)
            _ = try full.decode(format, position: BinlogPosition(file: "f", offset: 4))
            guard case .rows = try full.decode(event, position: BinlogPosition(file: "f", offset: 4)) else { continue }
            for length in 19..<event.count {
                var cut = Array(event[..<length])
                cut[9] = UInt8(length & 0xFF)
                cut[10] = UInt8(length >> 8 & 0xFF)
                var decoder = full
                guard case .rows(let rows)? = try? decoder.decode(cut, position: BinlogPosition(file: "f", offset: 4)),
                    let map = TruncationTests.tableMaps[rows.tableID]
                else { continue }
                let images = try? rows.rows(using: map)
                let count = try? rows.rowCount(using: map)
                #expect(count == images?.count)
                var writer = RowChangeJSONWriter()
                var out = ByteOutput()
                var ends: [Int] = []
                let names = map.columnNames
                let written: Void? = try? writer.appendStarts(
                    of: UndecodedRows(event: rows, table: map, columnNames: names, count: count ?? 0), to: &out,
                    ends: &ends)
                #expect((written != nil) == (images != nil))
                if let images {
                    var expected = ByteOutput()
                    for image in images {
                        writer.appendStart(
                            of: BinlogRowChange(
                                schema: map.schema, table: map.table, kind: rows.kind.rowChangeKind, columns: names,
                                before: image.before, after: image.after),
                            to: &expected
                        ) { map.columns }
                    }
                    #expect(Self.text(out.bytes) == Self.text(expected.bytes))
                    #expect(ends.count == images.count)
                }
                compared += 1
            }
        }
        #expect(compared > 1_000)
    }

    /// A rows event whose images are cut short stops the assembler with the error decoding
    /// them gives, whether it decodes rows or only counts them.
    @Test func aCutEventStopsTheAssemblerAsDecodingWould() throws {
        let raw = MySQLEvents.transaction
        let index = try #require(raw.firstIndex(of: MySQLEvents.writeRows()))
        let event = raw[index]
        // Cut inside the second row, the header's size rewritten, the checksum recomputed.
        var cut = Array(event[..<(event.count - 12)])
        cut[9] = UInt8((cut.count + 4) & 0xFF)
        cut[10] = UInt8((cut.count + 4) >> 8 & 0xFF)
        cut += EventBuilder.crcFooter(cut)
        var events = raw
        events[index] = cut
        let decodedEvents = try MySQLEvents.decodeAll(events)
        func error(undecoded: Bool) -> TransactionAssemblyError? {
            var assembler = TransactionAssembler(file: "binlog.000007", keepsRowsUndecoded: undecoded)
            do {
                for event in decodedEvents { _ = try assembler.eventReceived(event) }
            } catch {
                return error
            }
            return nil
        }
        let counted = try #require(error(undecoded: true))
        #expect(counted == error(undecoded: false))
        guard case .decoding(let decoding) = counted, case .truncated = decoding.reason else {
            Issue.record("not a truncation: \(counted)")
            return
        }
    }
}

/// Well-formed UTF-8 is what `String` keeps as it is; text written from its bytes is what the
/// string would write.
@Suite struct UTF8BytesTests {
    static let edges: [[UInt8]] = [
        [], Array("plain ascii, long enough for a word at a time".utf8), Array("é€😀𝄞".utf8),
        [0xC0, 0x80], [0xC1, 0xBF], [0xC2, 0x80], [0xDF, 0xBF], [0xE0, 0x9F, 0xBF], [0xE0, 0xA0, 0x80],
        [0xED, 0x9F, 0xBF], [0xED, 0xA0, 0x80], [0xEF, 0xBF, 0xBF], [0xF0, 0x8F, 0xBF, 0xBF], [0xF0, 0x90, 0x80, 0x80],
        [0xF4, 0x8F, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0x80], [0xBF], [0xFE], [0xFF],
        [0xC3], [0xE2, 0x82], [0xF0, 0x9F, 0x98], [0xC3, 0x41], [0xE2, 0x41, 0xAC], Array("ab\"c\\d\n\t\u{1}\u{7F}".utf8),
        Array("12345678".utf8) + [0xC3], Array("1234567".utf8) + [0xC3, 0xA9] + Array("abcdefgh".utf8),
    ]

    static func quoted(_ bytes: [UInt8]) -> ([UInt8], [UInt8]) {
        var fromBytes = ByteOutput()
        bytes.withUnsafeBytes { ByteText.appendQuotedUTF8($0, to: &fromBytes) }
        var fromString = ByteOutput()
        ByteText.appendQuoted(String(decoding: bytes, as: UTF8.self), to: &fromString)
        return (fromBytes.bytes, fromString.bytes)
    }

    @Test func edgesAreJudgedAsStringJudgesThem() {
        for bytes in Self.edges {
            let valid = bytes.withUnsafeBytes { ByteText.isValidUTF8($0) }
            #expect(valid == (String(validating: bytes, as: UTF8.self) != nil), "\(bytes)")
            let (fromBytes, fromString) = Self.quoted(bytes)
            #expect(fromBytes == fromString, "\(bytes)")
        }
    }

    @Test func randomBytesAreJudgedAsStringJudgesThem() {
        // A fixed sequence (xorshift), biased towards the bytes that start and continue
        // multi-byte characters.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
        let pool: [UInt8] = [0x41, 0x22, 0x5C, 0x0A, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0,
            0xE1, 0xED, 0xEF, 0xF0, 0xF1, 0xF4, 0xF5, 0xFF]
        var invalid = 0
        for _ in 0..<20_000 {
            let length = Int(next() % 12)
            let bytes = (0..<length).map { _ in pool[Int(next() % UInt64(pool.count))] }
            let valid = bytes.withUnsafeBytes { ByteText.isValidUTF8($0) }
            #expect(valid == (String(validating: bytes, as: UTF8.self) != nil), "\(bytes)")
            if !valid { invalid += 1 }
            let (fromBytes, fromString) = Self.quoted(bytes)
            #expect(fromBytes == fromString, "\(bytes)")
        }
        #expect(invalid > 1_000 && invalid < 20_000)
    }

    /// Plain text (printable ASCII but `"` and `\`) is told eight bytes at a time exactly as
    /// byte by byte, at every length and position of a special byte.
    @Test func plainTextIsToldWordByWordAsByteByByte() {
        let specials: [UInt8] = [0x00, 0x1F, 0x22, 0x5C, 0x7F, 0x80, 0xC3, 0xFF]
        let plain: [UInt8] = [0x20, 0x21, 0x23, 0x41, 0x5B, 0x5D, 0x7E]
        func byteByByte(_ bytes: [UInt8]) -> Bool {
            bytes.allSatisfy { $0 >= 0x20 && $0 < 0x80 && $0 != 0x22 && $0 != 0x5C }
        }
        var cases = 0
        for length in 0..<25 {
            let base = (0..<length).map { plain[$0 % plain.count] }
            #expect(base.withUnsafeBytes { ByteText.isPlainASCII($0) } == byteByByte(base))
            for position in 0..<length {
                for special in specials + plain {
                    var bytes = base
                    bytes[position] = special
                    #expect(bytes.withUnsafeBytes { ByteText.isPlainASCII($0) } == byteByByte(bytes), "\(bytes)")
                    let (fromBytes, fromString) = Self.quoted(bytes)
                    #expect(fromBytes == fromString, "\(bytes)")
                    cases += 1
                }
            }
        }
        #expect(cases > 4_000)
    }
}
