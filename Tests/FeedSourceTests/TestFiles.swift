import Foundation

@testable import FeedSource

/// A temporary directory for one test, removed when the value goes away.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "scimsync-feed-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes `bytes` to `name` and returns its path.
    @discardableResult
    func write(_ name: String, bytes: [UInt8]) throws -> String {
        let file = (path as NSString).appendingPathComponent(name)
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        return file
    }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try write(name, bytes: Array(text.utf8))
    }

    func file(_ name: String) -> String {
        (path as NSString).appendingPathComponent(name)
    }
}

/// Everything a reader handed on, split into records and problems.
struct ReadResult {
    var records: [FeedRecord] = []
    var problems: [RecordProblem] = []

    init(_ reader: some FeedRecordReader) throws {
        try reader.read { event in
            switch event {
            case .record(let record): records.append(record)
            case .problem(let problem): problems.append(problem)
            }
        }
    }

    /// The text of `field` in each record.
    func texts(_ field: String) -> [String?] {
        records.map { record in
            if case .text(let text)? = record[field] { return text }
            return nil
        }
    }
}

extension String {
    /// The text in UTF-16 with a byte-order mark.
    func utf16Bytes(bigEndian: Bool) -> [UInt8] {
        var bytes: [UInt8] = bigEndian ? [0xFE, 0xFF] : [0xFF, 0xFE]
        for unit in utf16 {
            let high = UInt8(unit >> 8)
            let low = UInt8(unit & 0xFF)
            bytes += bigEndian ? [high, low] : [low, high]
        }
        return bytes
    }
}

/// The control file most tests use: a TSV of users with a membership field.
enum Fixtures {
    static let controlJSON = """
        {
          "files": [ { "name": "users.tsv", "format": "tsv" } ],
          "attributes": {
            "userName": "login",
            "name.givenName": "first",
            "name.familyName": "last",
            "emails[type eq \\"work\\"].value": "mail"
          },
          "required": ["login", "mail"],
          "membership": { "field": "groups", "by": "displayName", "separator": ";" },
          "managedGroups": [ { "id": "g-staff", "displayName": "Staff" }, { "id": "g-sales", "displayName": "Sales" } ]
        }
        """

    static func control() throws -> FeedControl {
        try FeedControl.decode(json: Array(controlJSON.utf8), file: "control.json")
    }

    /// A users.tsv with a name row and one line per (login, first, last, mail, groups).
    static func tsv(_ rows: [(String, String, String, String, String)]) -> String {
        var text = "login\tfirst\tlast\tmail\tgroups\n"
        for row in rows { text += "\(row.0)\t\(row.1)\t\(row.2)\t\(row.3)\t\(row.4)\n" }
        return text
    }
}
