/// Why a record of an upload was skipped, or why a file could not be read to its end.
///
/// Its description names the place and the field but never a field's value: values are
/// personal data, and problems go to logs and run reports.
public struct RecordProblem: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        /// A required field is missing or blank.
        case missingField
        /// A line whose cells do not match the name row (expected, found).
        case wrongFieldCount(expected: Int, found: Int)
        /// Bytes that are not text in the file's charset.
        case invalidEncoding(charset: FeedCharset)
        /// A userName already seen in this upload (compared ignoring case), and where.
        case duplicateUserName(first: RecordLocation)
        /// A value of a shape the field cannot take (an object, a list for a single value, a
        /// value the attribute's type refuses).
        case badValue(String)
        /// Not a record at all (JSON that is not an object, a line too long ...).
        case malformed(String)
        /// The file as a whole could not be read on (XML not well-formed, JSON array syntax,
        /// an I/O error): nothing after this point was read, so the run must not apply.
        case unreadable(String)
    }

    public var location: RecordLocation
    /// The field concerned, when one is.
    public var field: String?
    public var reason: Reason

    public init(location: RecordLocation, field: String? = nil, reason: Reason) {
        self.location = location
        self.field = field
        self.reason = reason
    }

    /// Whether the rest of the file was lost (not just this record).
    public var isFatal: Bool {
        if case .unreadable = reason { return true }
        return false
    }

    public var description: String {
        var text = location.description
        if let field { text += ": field \"\(field)\"" }
        text += ": "
        switch reason {
        case .missingField:
            text += "required field is missing or empty; the record is skipped"
        case .wrongFieldCount(let expected, let found):
            text += "\(found) fields where the name row has \(expected); the line is skipped"
        case .invalidEncoding(let charset):
            text +=
                "not valid \(charset.rawValue) text (set the file's charset in the control file); the line is skipped"
        case .duplicateUserName(let first):
            text += "the same userName as \(first) (compared ignoring case); this record is skipped"
        case .badValue(let why):
            text += "\(why); the record is skipped"
        case .malformed(let why):
            text += "\(why); the record is skipped"
        case .unreadable(let why):
            text += "\(why); the file could not be read past this point, so the run will not apply"
        }
        return text
    }
}

/// What a reader hands on, record by record: a record, or a problem with one.
public enum FeedReadEvent: Sendable, Hashable {
    case record(FeedRecord)
    case problem(RecordProblem)
}

/// A reader of one file's records. Readers stream: they hold one record (and a bounded buffer
/// of input) at a time, handing each to `body` as soon as it is complete.
public protocol FeedRecordReader {
    /// Reads the file to its end (or to a fatal problem), calling `body` for each record and
    /// each problem in file order. Errors `body` throws stop the reading and are rethrown.
    func read(_ body: (FeedReadEvent) throws -> Void) throws
}
