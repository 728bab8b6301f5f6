/// QUERY_EVENT (type 2): a statement as text. In row-based binlogs these are `BEGIN`, `COMMIT`
/// and `ROLLBACK` around non-transactional or statement-logged work, and DDL.
///
/// Post-header (13 bytes): thread_id(4) exec_time(4) db_len(1) error_code(2)
/// status_vars_len(2); body: status variables, the default database and a NUL, then the
/// statement to the end of the event (MySQL `statement_events.h`, `Query_event`).
public struct QueryEvent: Sendable, Hashable {
    public var header: BinlogEventHeader
    public var threadID: UInt32
    public var executionTime: UInt32
    public var errorCode: UInt16
    /// The default database the statement ran in (`USE db`), empty when none.
    public var schema: String
    public var statement: String

    /// What the statement means for transaction boundaries.
    public var kind: Kind {
        let trimmed = statement.utf8.count <= 32 ? statement.trimmingASCIIWhitespace().uppercased() : ""
        switch trimmed {
        case "BEGIN", "START TRANSACTION": return .begin
        case "COMMIT": return .commit
        case "ROLLBACK": return .rollback
        default: return .other
        }
    }

    public enum Kind: Sendable, Hashable {
        case begin, commit, rollback
        /// DDL, statement-logged DML, SAVEPOINT and the like.
        case other
    }

    static func decode(header: BinlogEventHeader, body reader: inout ByteReader, format: FormatDescriptionEvent) throws -> QueryEvent {
        let postHeader = format.postHeaderLength(of: .query) ?? 13
        let threadID = try reader.readUInt32()
        let executionTime = try reader.readUInt32()
        let schemaLength = Int(try reader.readUInt8())
        let errorCode = try reader.readUInt16()
        var statusLength = 0
        if postHeader >= 13 {
            statusLength = Int(try reader.readUInt16())
            try reader.skip(postHeader - 13)
        }
        try reader.skip(statusLength)
        let schema = try reader.readString(schemaLength)
        try reader.skip(1)  // NUL after the database name
        let statement = String(decoding: reader.readRest(), as: UTF8.self)
        return QueryEvent(
            header: header, threadID: threadID, executionTime: executionTime, errorCode: errorCode,
            schema: schema, statement: statement
        )
    }
}

extension String {
    func trimmingASCIIWhitespace() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" || $0 == ";" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return self[first...last]
    }
}

extension QueryEvent {
    /// SAVEPOINT, ROLLBACK TO [SAVEPOINT], RELEASE SAVEPOINT: statements inside a transaction
    /// that change no rows of their own.
    static func isSavepointStatement(_ statement: String) -> Bool {
        let words = statement.utf8.prefix(64).split(whereSeparator: { $0 == 32 || (9...13).contains($0) }).prefix(2)
            .map { String(decoding: $0, as: UTF8.self).uppercased() }
        guard let first = words.first else { return true }
        return first == "SAVEPOINT" || (first == "RELEASE" && words.last == "SAVEPOINT")
            || (first == "ROLLBACK" && words.last == "TO")
    }
}

/// A two-phase XA statement as the binlog logs it (`XA END X'7831',X'',1`), with the XID as
/// spelt there: END and COMMIT of one transaction spell it alike.
enum XAStatement: Sendable, Hashable {
    case start
    case end(xid: String)
    case commit(xid: String)
    case rollback(xid: String)

    init?(_ statement: String) {
        guard statement.utf8.count < 512 else { return nil }
        let text = statement.trimmingASCIIWhitespace()
        let words = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard words.count >= 2, words[0].uppercased() == "XA" else { return nil }
        var xid = words.count > 2 ? String(String(words[2]).trimmingASCIIWhitespace()) : ""
        if xid.uppercased().hasSuffix(" ONE PHASE") { xid = String(xid.dropLast(" ONE PHASE".count)) }
        switch words[1].uppercased() {
        case "START", "BEGIN": self = .start
        case "END": self = .end(xid: xid)
        case "COMMIT": self = .commit(xid: xid)
        case "ROLLBACK": self = .rollback(xid: xid)
        default: return nil
        }
    }
}
