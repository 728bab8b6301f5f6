import SCIM

/// Reads JSON records: a file holding an array of objects, read one element at a time, or a
/// file that is one object.
///
/// The array is split into elements by a scanner that follows only strings and nesting, so at
/// most one element is held at a time; each element is then parsed on its own. An element
/// that is not a valid JSON object is reported and skipped; an array that is not closed is
/// unreadable (what follows cannot be told apart).
public struct JSONRecordReader: FeedRecordReader, Sendable {
    /// The file to read.
    public var path: String
    /// The file's name in the upload, for locations.
    public var name: String
    public var shape: FeedFormat.JSONShape
    /// Larger elements are reported and skipped.
    public var maximumRecordBytes: Int

    public init(path: String, name: String, shape: FeedFormat.JSONShape = .array, maximumRecordBytes: Int = 1 << 20) {
        self.path = path
        self.name = name
        self.shape = shape
        self.maximumRecordBytes = maximumRecordBytes
    }

    public func read(_ body: (FeedReadEvent) throws -> Void) throws {
        let file = try ChunkedFile(path: path)
        defer { file.close() }
        do {
            switch shape {
            case .record: try readOne(file, body)
            case .array: try readArray(file, body)
            }
        } catch let error as FeedFileError {
            try body(.problem(RecordProblem(location: RecordLocation(file: name), reason: .unreadable("\(error)"))))
        }
    }

    private func readOne(_ file: ChunkedFile, _ body: (FeedReadEvent) throws -> Void) throws {
        var bytes: [UInt8] = []
        while let chunk = try file.next() {
            bytes += chunk
            if bytes.count > maximumRecordBytes {
                try body(
                    .problem(
                        RecordProblem(
                            location: RecordLocation(file: name, line: 1, record: 1),
                            reason: .malformed("record larger than \(maximumRecordBytes) bytes"))))
                return
            }
        }
        // RFC 8259 §8.1: a byte-order mark may be ignored rather than treated as an error.
        let text = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes.dropFirst(3) : bytes[...]
        try body(Self.event(element: text, location: RecordLocation(file: name, line: 1, record: 1)))
    }

    /// Scanner state across chunks.
    private struct Scan {
        var started = false
        var finished = false
        var depth = 0
        var inString = false
        var escaped = false
        var line = 1
        var element: [UInt8] = []
        var elementLine = 0
        var elementTooLong = false
        var elementHasContent = false
        var records = 0
    }

    private func readArray(_ file: ChunkedFile, _ body: (FeedReadEvent) throws -> Void) throws {
        var scan = Scan()
        func finishElement() throws {
            defer {
                scan.element.removeAll(keepingCapacity: true)
                scan.elementHasContent = false
                scan.elementTooLong = false
            }
            guard scan.elementHasContent else { return }
            scan.records += 1
            let location = RecordLocation(file: name, line: scan.elementLine, record: scan.records)
            if scan.elementTooLong {
                try body(
                    .problem(
                        RecordProblem(
                            location: location, reason: .malformed("record larger than \(maximumRecordBytes) bytes"))))
                return
            }
            try body(Self.event(element: scan.element[...], location: location))
        }
        func unreadable(_ why: String) throws {
            try body(
                .problem(RecordProblem(location: RecordLocation(file: name, line: scan.line), reason: .unreadable(why)))
            )
        }
        var first = true
        while var chunk = try file.next() {
            if first {
                first = false
                if chunk.starts(with: [0xEF, 0xBB, 0xBF]) { chunk.removeFirst(3) }
            }
            for byte in chunk {
                if scan.finished {
                    if !Self.isSpace(byte) {
                        try unreadable("text after the array's closing bracket")
                        return
                    }
                    if byte == 0x0A { scan.line += 1 }
                    continue
                }
                if !scan.started {
                    if byte == UInt8(ascii: "[") {
                        scan.started = true
                        scan.depth = 1
                    } else if !Self.isSpace(byte) {
                        try unreadable(
                            "expected a JSON array of records (\"[\"); set \"shape\": \"record\" for one record per file"
                        )
                        return
                    }
                    if byte == 0x0A { scan.line += 1 }
                    continue
                }
                var takes = true
                if scan.inString {
                    if scan.escaped {
                        scan.escaped = false
                    } else if byte == UInt8(ascii: "\\") {
                        scan.escaped = true
                    } else if byte == UInt8(ascii: "\"") {
                        scan.inString = false
                    }
                } else {
                    switch byte {
                    case UInt8(ascii: "\""):
                        scan.inString = true
                    case UInt8(ascii: "{"), UInt8(ascii: "["):
                        scan.depth += 1
                    case UInt8(ascii: "}"), UInt8(ascii: "]"):
                        scan.depth -= 1
                        if scan.depth == 0 {
                            try finishElement()
                            scan.finished = true
                            takes = false
                        }
                    case UInt8(ascii: ",") where scan.depth == 1:
                        if !scan.elementHasContent {
                            try body(
                                .problem(
                                    RecordProblem(
                                        location: RecordLocation(file: name, line: scan.line),
                                        reason: .malformed("an empty element in the array"))))
                        }
                        try finishElement()
                        takes = false
                    default:
                        break
                    }
                }
                if takes, !scan.finished {
                    if !scan.elementHasContent, !Self.isSpace(byte) {
                        scan.elementHasContent = true
                        scan.elementLine = scan.line
                    }
                    if scan.elementHasContent {
                        if scan.element.count < maximumRecordBytes {
                            scan.element.append(byte)
                        } else {
                            scan.elementTooLong = true
                        }
                    }
                }
                if byte == 0x0A { scan.line += 1 }
            }
        }
        if !scan.started {
            try unreadable("the file is empty; expected a JSON array of records")
        } else if !scan.finished {
            try unreadable("the array is not closed (the file ends inside it)")
        }
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// The record one JSON object holds, or the problem with it.
    static func event(element: ArraySlice<UInt8>, location: RecordLocation) -> FeedReadEvent {
        let value: SCIMValue
        do {
            value = try SCIMValue(json: element)
        } catch {
            return .problem(RecordProblem(location: location, reason: .malformed("not valid JSON: \(error)")))
        }
        guard case .object(let object) = value else {
            return .problem(RecordProblem(location: location, reason: .malformed("not a JSON object")))
        }
        var fields: [(name: String, value: FeedValue)] = []
        for (key, member) in object.members {
            switch member {
            case .null:
                continue
            case .string, .integer, .decimal, .bool:
                fields.append((key, .text(scalarText(member) ?? "")))
            case .array(let elements):
                var texts: [String] = []
                for element in elements {
                    guard let text = scalarText(element) else {
                        return .problem(
                            RecordProblem(
                                location: location, field: key,
                                reason: .badValue("a list may hold only texts, numbers and booleans")))
                    }
                    texts.append(text)
                }
                fields.append((key, .list(texts)))
            case .object:
                return .problem(
                    RecordProblem(
                        location: location, field: key,
                        reason: .badValue("holds an object; fields hold texts, numbers, booleans or lists of them")))
            }
        }
        return .record(FeedRecord(location: location, fields: fields))
    }

    private static func scalarText(_ value: SCIMValue) -> String? {
        switch value {
        case .string(let text): text
        case .integer(let number): String(number)
        case .decimal(let number): String(number)
        case .bool(let flag): flag ? "true" : "false"
        case .null, .array, .object: nil
        }
    }
}
