import GRDB

/// An error from SQLite (through GRDB), classified.
///
/// `description` names the SQLite result code, the database file and what to do, never the
/// message or SQL (which can quote values); `debugDescription` adds the message.
public struct SQLiteError: Error, Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// SQLITE_CANTOPEN: the file or its directory is missing or not accessible.
        case cannotOpen
        /// "no such table" (SQLITE_ERROR).
        case noSuchTable
        /// "no such column" (SQLITE_ERROR).
        case noSuchColumn
        /// SQLITE_CONSTRAINT: a UNIQUE, NOT NULL, CHECK or foreign key constraint failed.
        case constraintViolation
        /// SQLITE_BUSY / SQLITE_LOCKED: another connection holds a lock.
        case busy
        /// SQLITE_FULL: the disk (or the file system's quota) is full.
        case full
        /// SQLITE_READONLY: the file, its directory or its file system cannot be written.
        case readOnly
        /// SQLITE_IOERR: the operating system failed a read or write.
        case ioError
        /// SQLITE_CORRUPT / SQLITE_NOTADB: the file is damaged, or not a SQLite database.
        case damaged
        case other
    }

    public var kind: Kind
    /// The primary SQLite result code (SQLITE_ERROR = 1, ...), -1 for non-SQLite errors.
    public var code: Int32
    public var path: String
    /// SQLite's message. May quote values: not for logs.
    public var message: String

    public init(kind: Kind, code: Int32, path: String, message: String) {
        self.kind = kind
        self.code = code
        self.path = path
        self.message = message
    }

    init(_ error: any Error, path: String) {
        guard let error = error as? DatabaseError else {
            self.init(kind: .other, code: -1, path: path, message: String(describing: error))
            return
        }
        let message = error.message ?? ""
        let code = error.resultCode
        let kind: Kind
        // The "no such ..." messages are fixed English text in SQLite's source (sqlite3 does
        // not translate messages), with only SQLITE_ERROR as their code.
        if code == .SQLITE_CANTOPEN {
            kind = .cannotOpen
        } else if code == .SQLITE_CONSTRAINT {
            kind = .constraintViolation
        } else if code == .SQLITE_BUSY || code == .SQLITE_LOCKED {
            kind = .busy
        } else if code == .SQLITE_FULL {
            kind = .full
        } else if code == .SQLITE_READONLY {
            kind = .readOnly
        } else if code == .SQLITE_IOERR {
            kind = .ioError
        } else if code == .SQLITE_CORRUPT || code == .SQLITE_NOTADB {
            kind = .damaged
        } else if message.hasPrefix("no such table") {
            kind = .noSuchTable
        } else if message.hasPrefix("no such column") {
            kind = .noSuchColumn
        } else {
            kind = .other
        }
        self.init(kind: kind, code: code.rawValue, path: path, message: message)
    }

    public var description: String {
        let reference = code >= 0 ? " (SQLite result code \(code))" : ""
        switch kind {
        case .cannotOpen:
            return "cannot open the SQLite database \(path)\(reference): check that the directory exists "
                + "and that the file is readable and writable"
        case .noSuchTable:
            return "a table the statement names does not exist in \(path)\(reference): check the table "
                + "names in the layout"
        case .noSuchColumn:
            return "a column the statement names does not exist in \(path)\(reference): check the column "
                + "names in the layout"
        case .constraintViolation:
            return "a constraint failed in \(path)\(reference)"
        case .busy:
            return "the SQLite database \(path) is locked by another connection\(reference): retry later"
        case .full:
            return "the disk holding the SQLite database \(path) is full\(reference): free space there"
        case .readOnly:
            return "the SQLite database \(path) cannot be written\(reference): check the file's and its "
                + "directory's owner and mode, and that the file system is mounted read-write"
        case .ioError:
            return "the operating system failed a read or write of the SQLite database \(path)\(reference): "
                + "check the disk and the file system"
        case .damaged:
            return "the SQLite database \(path) is damaged or not a SQLite database\(reference): restore it "
                + "from a backup, or check the configured path"
        case .other:
            return "SQLite error in \(path)\(reference)"
        }
    }

    public var debugDescription: String {
        "\(description). Message: \(message)"
    }
}
