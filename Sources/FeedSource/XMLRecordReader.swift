import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Reads XML records: every element named `record` is one, wherever it is in the document.
///
/// - ``Layout/childElements``: each child element is a field and its text the value
///   (`<person><login>ann</login><group>Staff</group><group>Sales</group></person>`); a child
///   repeated gives a list.
/// - ``Layout/attributes``: the record element's attributes are the fields
///   (`<person login="ann" mail="ann@example.com"/>`).
///
/// The parser reads the file as a stream (the document's own encoding declaration decides its
/// charset, as XML 1.0 §4.3.3 says), so memory holds one record. A document that is not
/// well-formed stops at the error: records before it are kept, and the problem is fatal.
public struct XMLRecordReader: FeedRecordReader, Sendable {
    public enum Layout: Sendable, Hashable {
        case childElements
        case attributes
    }

    /// The file to read.
    public var path: String
    /// The file's name in the upload, for locations.
    public var name: String
    /// The name of the element that holds one record.
    public var record: String
    public var layout: Layout

    public init(path: String, name: String, record: String, layout: Layout) {
        self.path = path
        self.name = name
        self.record = record
        self.layout = layout
    }

    /// The most attributes one start tag may have. The XML parser compares each attribute's
    /// name with every earlier one's, so a tag of a million attributes would hold the upload
    /// for hours; a person's record has dozens.
    public static let maximumAttributes = 10_000

    public func read(_ body: (FeedReadEvent) throws -> Void) throws {
        guard let stream = InputStream(fileAtPath: path), FileManager.default.isReadableFile(atPath: path) else {
            try body(
                .problem(
                    RecordProblem(
                        location: RecordLocation(file: name),
                        reason: .unreadable("\(FeedFileError.cannotOpen(path: path))"))))
            return
        }
        if let (line, reason) = try Self.markupProblem(path: path) {
            try body(.problem(RecordProblem(location: RecordLocation(file: name, line: line), reason: .unreadable(reason))))
            return
        }
        try withoutActuallyEscaping(body) { body in
            let collector = XMLRecordCollector(file: name, record: record, layout: layout, body: body)
            let parser = XMLParser(stream: stream)
            parser.shouldResolveExternalEntities = false
            parser.delegate = collector
            let ok = parser.parse()
            if let error = collector.thrown { throw error }
            if ok, !collector.sawElement {
                // An empty file (or blanks alone) is no document: reading it as "no records"
                // would block everyone the file used to list.
                try body(
                    .problem(
                        RecordProblem(
                            location: RecordLocation(file: name),
                            reason: .unreadable("the file holds no XML element; expected a document of <\(record)> elements"))))
                return
            }
            if !ok, !collector.reportedFatal {
                let line = parser.lineNumber
                let reason =
                    parser.parserError.map { "XML is not well-formed (\($0.localizedDescription))" }
                    ?? "XML is not well-formed"
                try body(
                    .problem(
                        RecordProblem(
                            location: RecordLocation(file: name, line: line > 0 ? line : nil),
                            reason: .unreadable(reason))))
            }
        }
    }
}

extension XMLRecordReader {
    /// What the parser must not be given, and its line, found in one pass over the bytes
    /// before the parser sees them:
    /// - a start tag with more than ``maximumAttributes`` attributes (an attribute is a `=` in
    ///   a start tag outside quoted values; comments, declarations, processing instructions
    ///   and end tags are not start tags);
    /// - an entity declaration (`<!ENTITY`): the parser does not expand declared entities and
    ///   drops the text they stand for (and what follows an external one) without an error,
    ///   so a value would change silently. Exports spell their text out.
    static func markupProblem(path: String) throws -> (line: Int, reason: String)? {
        let entity = Array("<!ENTITY".utf8)
        var matched = 0
        let file = try ChunkedFile(path: path)
        defer { file.close() }
        enum State { case text, afterOpen, startTag, otherMarkup }
        var state = State.text
        var quote: UInt8 = 0
        var attributes = 0
        var line = 1
        var tagLine = 1
        while let chunk = try file.next() {
            for byte in chunk {
                if byte == 0x0A { line += 1 }
                switch state {
                case .text:
                    if byte == UInt8(ascii: "<") { state = .afterOpen }
                case .afterOpen:
                    if byte == UInt8(ascii: "!") {
                        state = .otherMarkup
                        matched = 2
                    } else if byte == UInt8(ascii: "?") || byte == UInt8(ascii: "/") {
                        state = .otherMarkup
                        matched = 0
                    } else if byte == UInt8(ascii: "<") {
                        state = .afterOpen
                    } else {
                        state = .startTag
                        attributes = 0
                        quote = 0
                        tagLine = line
                    }
                case .startTag:
                    if quote != 0 {
                        if byte == quote { quote = 0 }
                    } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                        quote = byte
                    } else if byte == UInt8(ascii: "=") {
                        attributes += 1
                        if attributes > maximumAttributes {
                            return (tagLine, "an element has more than \(maximumAttributes) attributes; the file is not read")
                        }
                    } else if byte == UInt8(ascii: ">") {
                        state = .text
                    }
                case .otherMarkup:
                    // `<!ENTITY` right after `<`, or inside a DOCTYPE's internal subset.
                    if byte == entity[matched] {
                        matched += 1
                        if matched == entity.count {
                            return (
                                line,
                                "the file declares an entity (<!ENTITY …>), whose text the reader would drop; spell the text out"
                            )
                        }
                    } else {
                        matched = byte == UInt8(ascii: "<") ? 1 : 0
                    }
                    if byte == UInt8(ascii: ">") { state = .text }
                }
            }
        }
        return nil
    }
}

/// The parser's delegate: gathers one record's fields and hands each record on.
private final class XMLRecordCollector: NSObject, XMLParserDelegate {
    let file: String
    let record: String
    let layout: XMLRecordReader.Layout
    let body: (FeedReadEvent) throws -> Void
    /// An error `body` threw: parsing is aborted and the reader rethrows it.
    var thrown: (any Error)?
    var reportedFatal = false

    /// Inside a record: its location, fields so far, the child being read and its text.
    private var inRecord = false
    private var depth = 0
    private var location = RecordLocation(file: "")
    private var fields: [(name: String, value: FeedValue)] = []
    /// Child elements in the order they first came, with their texts so far, and each name's
    /// place among them: a record of many children (or a child repeated many times) is
    /// gathered in linear time.
    private var children: [(name: String, texts: [String])] = []
    private var childIndex: [String: Int] = [:]
    /// Whether the document had any element at all.
    private(set) var sawElement = false
    private var child: String?
    private var text = ""
    private var problem: RecordProblem?
    private var records = 0

    init(file: String, record: String, layout: XMLRecordReader.Layout, body: @escaping (FeedReadEvent) throws -> Void) {
        self.file = file
        self.record = record
        self.layout = layout
        self.body = body
    }

    private func send(_ event: FeedReadEvent, _ parser: XMLParser) {
        guard thrown == nil else { return }
        do {
            try body(event)
        } catch {
            thrown = error
            parser.abortParsing()
        }
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        guard !reportedFatal else { return }
        sawElement = true
        if !inRecord {
            guard elementName == record else { return }
            inRecord = true
            depth = 0
            records += 1
            location = RecordLocation(file: file, line: parser.lineNumber, record: records)
            fields = []
            childIndex = [:]
            children = []
            problem = nil
            if layout == .attributes {
                // Attribute order is not kept by the parser: sort for a stable field order.
                for key in attributes.keys.sorted() { fields.append((key, .text(attributes[key] ?? ""))) }
            }
            return
        }
        depth += 1
        guard layout == .childElements else { return }
        if depth == 1 {
            child = elementName
            text = ""
        } else if problem == nil {
            problem = RecordProblem(
                location: location, field: child, reason: .badValue("holds elements; a field holds text"))
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if !reportedFatal, inRecord, depth == 1, child != nil { text += string }
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        if !reportedFatal, inRecord, depth == 1, child != nil { text += String(decoding: CDATABlock, as: UTF8.self) }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        // After a well-formedness error the parser may go on recovering: nothing it reports
        // then is trusted.
        guard inRecord, !reportedFatal else { return }
        if depth == 0 {
            inRecord = false
            if layout == .childElements {
                fields = children.map { ($0.name, $0.texts.count == 1 ? .text($0.texts[0]) : .list($0.texts)) }
            }
            if let problem {
                send(.problem(problem), parser)
            } else {
                send(.record(FeedRecord(location: location, fields: fields)), parser)
            }
            return
        }
        if depth == 1, layout == .childElements, let name = child {
            let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if let position = childIndex[name] {
                children[position].texts.append(value)
            } else {
                childIndex[name] = children.count
                children.append((name, [value]))
            }
            child = nil
        }
        depth -= 1
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
        guard thrown == nil, !reportedFatal else { return }
        reportedFatal = true
        let line = parser.lineNumber
        send(
            .problem(
                RecordProblem(
                    location: RecordLocation(file: file, line: line > 0 ? line : nil),
                    reason: .unreadable("XML is not well-formed (\((parseError as NSError).localizedDescription))"))),
            parser)
        parser.abortParsing()
    }
}
