import Directory
import MySQLBinlog

/// Where `scimsync tail` starts and stops reading, from its `--from`, `--until` and
/// `--tables` arguments.
public struct TailRange: Sendable, Hashable {
    public enum Start: Sendable, Hashable {
        /// The oldest binlog the server still has.
        case earliest
        /// The server's position when tail started: only new changes.
        case now
        case position(BinlogPosition)
        /// A MariaDB GTID position, `domain-server-seq` per domain, comma-separated.
        case gtid(String)
    }

    public enum End: Sendable, Hashable {
        /// The server's position when tail started.
        case now
        /// Stop after the transaction that ends at or past this position.
        case position(BinlogPosition)
    }

    public var start: Start
    /// Nil: follow the binlog until interrupted.
    public var end: End?
    /// `schema.table` names; nil: the layouts' tables.
    public var tables: Set<String>?

    public init(start: Start, end: End?, tables: Set<String>?) {
        self.start = start
        self.end = end
        self.tables = tables
    }

    /// Parses the command-line forms; errors say which argument and what is accepted.
    public init(from: String, until: String?, tables: String?) throws(TailArgumentError) {
        start = try Self.start(from)
        end = try until.map(Self.end)
        self.tables = try tables.map(Self.tables)
    }

    static func start(_ text: String) throws(TailArgumentError) -> Start {
        switch text {
        case "earliest": return .earliest
        case "now": return .now
        default:
            if let position = position(text) { return .position(position) }
            if isMariaDBGTIDList(text) { return .gtid(text) }
            throw TailArgumentError(
                argument: "--from", value: text,
                expected: "earliest, now, FILE:POS (e.g. mysql-bin.000003:1234) or a MariaDB GTID (e.g. 0-1-42)")
        }
    }

    static func end(_ text: String) throws(TailArgumentError) -> End {
        if text == "now" { return .now }
        if let position = position(text) { return .position(position) }
        throw TailArgumentError(argument: "--until", value: text, expected: "now or FILE:POS (e.g. mysql-bin.000003:1234)")
    }

    static func tables(_ text: String) throws(TailArgumentError) -> Set<String> {
        var names: Set<String> = []
        for name in text.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = name.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 2,
                parts.allSatisfy({ DirectoryLayout.identifierProblem(String($0), allowSchema: false) == nil })
            else {
                throw TailArgumentError(argument: "--tables", value: String(name), expected: "database.table names separated by commas")
            }
            names.insert(String(name))
        }
        return names
    }

    /// `file:offset`, with an offset past the 4-byte magic every binlog file starts with.
    static func position(_ text: String) -> BinlogPosition? {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        let file = String(text[..<colon])
        guard !file.isEmpty, !file.contains("/"), let offset = UInt64(text[text.index(after: colon)...]), offset >= 4
        else { return nil }
        return BinlogPosition(file: file, offset: offset)
    }

    /// `0-1-42` or `0-1-42,1-2-7`: one `domain-server-sequence` per replication domain.
    static func isMariaDBGTIDList(_ text: String) -> Bool {
        text.split(separator: ",", omittingEmptySubsequences: false).allSatisfy { gtid in
            let numbers = gtid.split(separator: "-", omittingEmptySubsequences: false)
            return numbers.count == 3 && numbers.allSatisfy { UInt64($0) != nil }
        }
    }
}

/// A `scimsync tail` argument that cannot be used.
public struct TailArgumentError: Error, Sendable, Hashable, CustomStringConvertible {
    public var argument: String
    public var value: String
    public var expected: String

    public var description: String { "\(argument) \"\(value)\": expected \(expected)" }
}
