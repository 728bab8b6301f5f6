import Testing

@testable import FeedSource

@Suite struct TSVReaderTests {
    @Test func readsRecordsByTheNameRow() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("users.tsv", "login\tfirst\r\nann\tAnn\r\n\r\nbob\tBob")
        let result = try ReadResult(TSVRecordReader(path: path, name: "users.tsv"))
        #expect(result.problems.isEmpty)
        #expect(result.texts("login") == ["ann", "bob"])
        #expect(result.texts("first") == ["Ann", "Bob"])
        #expect(
            result.records.map(\.location) == [
                RecordLocation(file: "users.tsv", line: 2), RecordLocation(file: "users.tsv", line: 4),
            ])
    }

    @Test func aLineWithTheWrongNumberOfFieldsIsSkippedWithItsLine() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("users.tsv", "login\tfirst\nann\tAnn\nbob\nted\tTed\textra\ncy\tCy\n")
        let result = try ReadResult(TSVRecordReader(path: path, name: "users.tsv"))
        #expect(result.texts("login") == ["ann", "cy"])
        #expect(
            result.problems == [
                RecordProblem(
                    location: RecordLocation(file: "users.tsv", line: 3),
                    reason: .wrongFieldCount(expected: 2, found: 1)),
                RecordProblem(
                    location: RecordLocation(file: "users.tsv", line: 4),
                    reason: .wrongFieldCount(expected: 2, found: 3)),
            ])
        #expect(
            result.problems[0].description
                == "users.tsv: line 3: 1 fields where the name row has 2; the line is skipped")
    }

    /// Cells are cut byte by byte at an ASCII separator: the same cells as the text's scalars
    /// split at it, with accents, combining marks, emoji and empty cells.
    @Test func cellsAreCutAsTheScalarsSplit() {
        let texts = ["", "\t", "a\t\tb\t", "José\tJose\u{301}\t👩‍👩‍👧", "\u{301}\t\u{301}", "Ünï;cödé;;", "plain"]
        for separator in ["\t", ";", ","] as [Unicode.Scalar] {
            for text in texts {
                #expect(
                    text.parts(betweenASCII: UInt8(separator.value)).map(String.init)
                        == text.unicodeScalars.split(separator: separator, omittingEmptySubsequences: false).map {
                            String($0)
                        }, "\(text.debugDescription) cut at \(separator.escaped(asASCII: true))")
            }
        }
    }

    @Test func aSeparatorOfChoice() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("users.csv", "login;first\nann;Ann\n")
        let result = try ReadResult(TSVRecordReader(path: path, name: "users.csv", separator: ";"))
        #expect(result.texts("first") == ["Ann"])
    }

    @Test func iso8859_1TextDecodes() throws {
        let dir = try TemporaryDirectory()
        // "José" and "Müller" in ISO-8859-1: é = E9, ü = FC.
        let bytes: [UInt8] =
            Array("login\tfirst\tlast\njose\tJos".utf8) + [0xE9] + Array("\tM".utf8) + [0xFC] + Array("ller\n".utf8)
        let path = try dir.write("users.tsv", bytes: bytes)
        let result = try ReadResult(TSVRecordReader(path: path, name: "users.tsv", charset: .iso8859_1))
        #expect(result.problems.isEmpty)
        #expect(result.texts("first") == ["José"])
        #expect(result.texts("last") == ["Müller"])
    }

    @Test func windows1252TextDecodesItsOwnCharacters() throws {
        let dir = try TemporaryDirectory()
        // 0x80 is € and 0x9A is š in Windows-1252 (C1 controls in ISO-8859-1); 0x81 is undefined.
        let bytes: [UInt8] =
            Array("login\tnote\nann\t".utf8) + [0x80, 0x20, 0x9A, 0xE9] + Array("\nbob\tx".utf8) + [0x81]
            + Array("\n".utf8)
        let path = try dir.write("users.tsv", bytes: bytes)
        let result = try ReadResult(TSVRecordReader(path: path, name: "users.tsv", charset: .windows1252))
        #expect(result.texts("note") == ["€ šé"])
        #expect(
            result.problems == [
                RecordProblem(
                    location: RecordLocation(file: "users.tsv", line: 3),
                    reason: .invalidEncoding(charset: .windows1252))
            ])
    }

    @Test(arguments: [false, true]) func utf16WithAByteOrderMarkDecodes(bigEndian: Bool) throws {
        let dir = try TemporaryDirectory()
        let text = "login\tfirst\r\nzoe\tZoë\r\nchen\t陈\r\nemoji\t😀\r\n"
        let path = try dir.write("users.tsv", bytes: text.utf16Bytes(bigEndian: bigEndian))
        let result = try ReadResult(TSVRecordReader(path: path, name: "users.tsv", charset: .utf16))
        #expect(result.problems.isEmpty)
        #expect(result.texts("first") == ["Zoë", "陈", "😀"])
        #expect(result.records.map(\.location.line) == [2, 3, 4])
    }

    @Test func utf16WithoutAByteOrderMarkIsUnreadable() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("users.tsv", bytes: Array("login\nann\n".utf16Bytes(bigEndian: false).dropFirst(2)))
        let result = try ReadResult(TSVRecordReader(path: path, name: "users.tsv", charset: .utf16))
        #expect(result.records.isEmpty)
        #expect(result.problems.count == 1)
        #expect(result.problems.first?.isFatal == true)
    }

    @Test func invalidUTF8IsReportedWithItsLineAndTheRestIsRead() throws {
        let dir = try TemporaryDirectory()
        let bytes: [UInt8] = Array("login\tfirst\nann\tA".utf8) + [0xC3, 0x28] + Array("\nbob\tBjörn\n".utf8)
        let path = try dir.write("users.tsv", bytes: bytes)
        let result = try ReadResult(TSVRecordReader(path: path, name: "users.tsv"))
        #expect(result.texts("first") == ["Björn"])
        #expect(
            result.problems == [
                RecordProblem(
                    location: RecordLocation(file: "users.tsv", line: 2), reason: .invalidEncoding(charset: .utf8))
            ])
    }

    @Test func aFileLargerThanOneChunkIsReadWhole() throws {
        let dir = try TemporaryDirectory()
        var text = "login\tfirst\n"
        for i in 0..<20_000 { text += "user\(i)\tFirst name number \(i) ü\n" }
        let path = try dir.write("users.tsv", text)
        let result = try ReadResult(TSVRecordReader(path: path, name: "users.tsv"))
        #expect(result.problems.isEmpty)
        #expect(result.records.count == 20_000)
        #expect(result.records.last?.location.line == 20_001)
        #expect(result.texts("first").last == "First name number 19999 ü")
    }

    @Test func aTooLongLineIsSkippedAndMemoryStaysBounded() throws {
        let dir = try TemporaryDirectory()
        let text = "login\tnote\nann\t" + String(repeating: "x", count: 5000) + "\nbob\tshort\n"
        let path = try dir.write("users.tsv", text)
        let result = try ReadResult(TSVRecordReader(path: path, name: "users.tsv", maximumLineBytes: 1000))
        #expect(result.texts("login") == ["bob"])
        #expect(result.problems.map(\.location.line) == [2])
    }

    @Test func aNameRowWithoutARequiredFieldStopsAtOnce() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("users.tsv", "login\tMail\nann\tann@example.com\nbob\tbob@example.com\n")
        let result = try ReadResult(TSVRecordReader(path: path, name: "users.tsv", requiredNames: ["login", "mail"]))
        #expect(result.records.isEmpty)
        #expect(
            result.problems.map(\.description) == [
                "users.tsv: line 1: the name row has no \"mail\", which the control file needs (names are matched exactly, case included); the file could not be read past this point, so the run will not apply"
            ])
        let twice = try dir.write("twice.tsv", "login\tmail\tlogin\nann\ta\tb\n")
        let again = try ReadResult(TSVRecordReader(path: twice, name: "twice.tsv"))
        #expect(again.records.isEmpty)
        #expect(again.problems.first?.isFatal == true)
    }

    /// Memory holds about one chunk and one line, however long the file.
    @Test func readingHoldsOneChunkAndOneLine() throws {
        let dir = try TemporaryDirectory()
        var text = "login\tnote\n"
        for i in 0..<10_000 { text += "user\(i)\t\(String(repeating: "n", count: i % 200))\n" }
        let path = try dir.write("users.tsv", text)
        let file = try ChunkedFile(path: path, chunkSize: 1024)
        defer { file.close() }
        var lines = LineSplitter(file: file, charset: .utf8, maximumLineBytes: 4096)
        var count = 0
        while let line = try lines.next() {
            if case .text = line { count += 1 }
        }
        #expect(count == 10_001)
        #expect(text.utf8.count > 1_000_000)
        #expect(lines.peakBufferBytes <= 1024 + 2 * 4096)
    }

    /// LF, CR LF and a CR alone each end a line, wherever the chunks are cut (a CR LF split
    /// between two reads included), in UTF-8 and in UTF-16 of either byte order.
    @Test(arguments: [1, 2, 3, 5, 1024])
    func everyLineBreakEndsALine(chunkSize: Int) throws {
        let text = "login\tfirst\rann\tAnn\nbob\tBob\r\ncy\tCy\r\r\ndee\tDee\r"
        let expected = ["login\tfirst", "ann\tAnn", "bob\tBob", "cy\tCy", "", "dee\tDee"]
        let dir = try TemporaryDirectory()
        let encodings: [(FeedCharset, [UInt8])] = [
            (.utf8, Array(text.utf8)),
            (.utf16, [0xFE, 0xFF] + text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }),
            (.utf16, [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }),
        ]
        for (index, (charset, bytes)) in encodings.enumerated() {
            let path = try dir.write("lines\(index).tsv", bytes: bytes)
            let file = try ChunkedFile(path: path, chunkSize: chunkSize)
            defer { file.close() }
            var lines = LineSplitter(file: file, charset: charset)
            #expect(try lines.readByteOrderMark(charset: charset))
            var read: [String] = []
            var numbers: [Int] = []
            while let line = try lines.next() {
                guard case .text(let bytes, let number) = line else { continue }
                read.append(try charset.decode(bytes, bigEndian: lines.bigEndian))
                numbers.append(number)
            }
            #expect(read == expected, "\(charset) in chunks of \(chunkSize)")
            #expect(numbers == Array(1...6))
        }
    }

    /// A file of CR-terminated lines, and one whose CR LF became CR CR LF, read as their
    /// lines: not one line of names swallowing every record, nor a CR in the last field.
    @Test func classicMacAndDoubledCRLinesAreReadAsLines() throws {
        let dir = try TemporaryDirectory()
        for text in ["login\tgroups\rann\tStaff\rbob\tSales\r", "login\tgroups\r\r\nann\tStaff\r\r\nbob\tSales\r\r\n"] {
            let path = try dir.write("users.tsv", text)
            let result = try ReadResult(TSVRecordReader(path: path, name: "users.tsv", requiredNames: ["login"]))
            #expect(result.problems.isEmpty)
            #expect(result.texts("login") == ["ann", "bob"])
            #expect(result.texts("groups") == ["Staff", "Sales"])
        }
    }
}
