/// One record of an uploaded file, as read: field names with their values, and where it is.
public struct FeedRecord: Sendable, Hashable {
    public var location: RecordLocation
    /// Fields in the order the file gives them; a name appears once.
    public var fields: [(name: String, value: FeedValue)]

    public init(location: RecordLocation, fields: [(name: String, value: FeedValue)]) {
        self.location = location
        self.fields = fields
    }

    /// The value of `name` (field names are matched exactly: exports are machine-written).
    public subscript(name: String) -> FeedValue? {
        fields.first { $0.name == name }?.value
    }

    public static func == (lhs: FeedRecord, rhs: FeedRecord) -> Bool {
        lhs.location == rhs.location
            && lhs.fields.elementsEqual(rhs.fields) { $0.name == $1.name && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(location)
        for field in fields {
            hasher.combine(field.name)
            hasher.combine(field.value)
        }
    }
}

/// A field's value: text, or (JSON arrays, repeated XML elements) a list of texts.
public enum FeedValue: Sendable, Hashable {
    case text(String)
    case list([String])

    /// The value as texts: one for `.text`, the elements for `.list`.
    public var texts: [String] {
        switch self {
        case .text(let text): [text]
        case .list(let list): list
        }
    }

    /// Whether it holds nothing but blanks.
    public var isBlank: Bool {
        switch self {
        case .text(let text): Self.isBlank(text)
        case .list(let list): list.allSatisfy(Self.isBlank)
        }
    }

    /// Whether `text` is whitespace only. ASCII text is judged byte by byte (tab, line feed,
    /// vertical tab, form feed, carriage return and space are ASCII's whitespace characters);
    /// other text by its characters.
    private static func isBlank(_ text: String) -> Bool {
        var ascii = true
        for byte in text.utf8 {
            if byte >= 0x80 {
                ascii = false
                break
            }
            if byte != 0x20, !(0x09...0x0D).contains(byte) { return false }
        }
        return ascii || text.allSatisfy(\.isWhitespace)
    }
}

/// Where a record or a problem is: the file, and the line (text formats and XML) or the
/// record's number (JSON arrays count records from 1, and also give the line it starts on).
public struct RecordLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    /// 1-based line the record starts on, when known.
    public var line: Int?
    /// 1-based number of the record in its file.
    public var record: Int?

    public init(file: String, line: Int? = nil, record: Int? = nil) {
        self.file = file
        self.line = line
        self.record = record
    }

    /// `users.tsv: line 12`, `users.json: record 3 (line 40)`.
    public var description: String {
        switch (line, record) {
        case (let line?, let record?): "\(file): record \(record) (line \(line))"
        case (let line?, nil): "\(file): line \(line)"
        case (nil, let record?): "\(file): record \(record)"
        case (nil, nil): file
        }
    }
}
