/// Reads a separated-values file whose first line names the fields: one record per line.
///
/// No quoting: TSV as spreadsheets and HR exports write it has none, and a separator inside
/// a value is an error of the export that shows as a wrong number of fields. Blank lines are
/// skipped. A line that cannot be decoded in the charset, or that has more or fewer cells than
/// the name row, is reported and skipped.
public struct TSVRecordReader: FeedRecordReader, Sendable {
    /// The file to read.
    public var path: String
    /// The file's name in the upload, for locations.
    public var name: String
    public var separator: Unicode.Scalar
    public var charset: FeedCharset
    /// Longer lines are reported and skipped, keeping memory bounded.
    public var maximumLineBytes: Int
    /// Fields the name row must have: without one every line would be skipped, so its
    /// absence is reported once and the file is not read.
    public var requiredNames: [String]

    public init(
        path: String, name: String, separator: Unicode.Scalar = "\t", charset: FeedCharset = .utf8,
        maximumLineBytes: Int = 1 << 20, requiredNames: [String] = []
    ) {
        self.path = path
        self.name = name
        self.separator = separator
        self.charset = charset
        self.maximumLineBytes = maximumLineBytes
        self.requiredNames = requiredNames
    }

    public func read(_ body: (FeedReadEvent) throws -> Void) throws {
        let file = try ChunkedFile(path: path)
        defer { file.close() }
        var lines = LineSplitter(file: file, charset: charset, maximumLineBytes: maximumLineBytes)
        guard try lines.readByteOrderMark(charset: charset) else {
            try body(
                .problem(
                    RecordProblem(
                        location: RecordLocation(file: name, line: 1),
                        reason: .unreadable("UTF-16 text must start with a byte-order mark (FE FF or FF FE)"))))
            return
        }
        var names: [String]?
        do {
            while let line = try lines.next() {
                switch line {
                case .tooLong(let number):
                    let location = RecordLocation(file: name, line: number)
                    guard names != nil else {
                        try body(
                            .problem(RecordProblem(location: location, reason: .unreadable("the name row is too long")))
                        )
                        return
                    }
                    try body(
                        .problem(
                            RecordProblem(
                                location: location, reason: .malformed("line longer than \(maximumLineBytes) bytes"))))
                case .text(let bytes, let number):
                    let location = RecordLocation(file: name, line: number)
                    let text: String
                    do {
                        text = try charset.decode(bytes, bigEndian: lines.bigEndian)
                    } catch {
                        guard names != nil else {
                            try body(
                                .problem(
                                    RecordProblem(
                                        location: location,
                                        reason: .unreadable("the name row is not valid \(charset.rawValue) text"))))
                            return
                        }
                        try body(
                            .problem(RecordProblem(location: location, reason: .invalidEncoding(charset: charset))))
                        continue
                    }
                    if text.unicodeScalars.allSatisfy({ $0 == " " || $0 == "\t" }), separator != " " { continue }
                    let cells =
                        separator.isASCII
                        ? text.parts(betweenASCII: UInt8(separator.value)).map { String($0) }
                        : text.unicodeScalars.split(separator: separator, omittingEmptySubsequences: false).map {
                            String($0)
                        }
                    guard let header = names else {
                        let row = cells.map { $0.trimmingSpaces }
                        if let problem = nameRowProblem(row) {
                            try body(.problem(RecordProblem(location: location, reason: .unreadable(problem))))
                            return
                        }
                        names = row
                        continue
                    }
                    guard cells.count == header.count else {
                        try body(
                            .problem(
                                RecordProblem(
                                    location: location,
                                    reason: .wrongFieldCount(expected: header.count, found: cells.count))))
                        continue
                    }
                    // The name row has no name twice (`nameRowProblem`): every cell is a field.
                    var fields: [(name: String, value: FeedValue)] = []
                    fields.reserveCapacity(cells.count)
                    for (fieldName, cell) in zip(header, cells) {
                        fields.append((fieldName, .text(cell)))
                    }
                    try body(.record(FeedRecord(location: RecordLocation(file: name, line: number), fields: fields)))
                }
            }
        } catch let error as FeedFileError {
            try body(.problem(RecordProblem(location: RecordLocation(file: name), reason: .unreadable("\(error)"))))
        }
    }
}

extension TSVRecordReader {
    /// What is wrong with a name row: a name given twice, or a required field missing.
    func nameRowProblem(_ row: [String]) -> String? {
        var seen = Set<String>()
        for name in row where !seen.insert(name).inserted {
            return "the name row has \"\(name)\" twice; each field needs its own name"
        }
        // A field the control file needs twice (required, and mapped) is named once.
        var named = Set<String>()
        let missing = requiredNames.filter { !seen.contains($0) && named.insert($0).inserted }
        guard missing.isEmpty else {
            let list = missing.map { "\"\($0)\"" }.joined(separator: ", ")
            return
                "the name row has no \(list), which the control file needs (names are matched exactly, case included)"
        }
        return nil
    }
}

extension String {
    /// Without leading and trailing spaces and tabs (name rows often carry them).
    var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }),
            let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })
        else { return "" }
        return String(scalars[first...last])
    }
}
