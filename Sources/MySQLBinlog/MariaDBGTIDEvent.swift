/// MariaDB GTID_EVENT (type 162): starts a transaction (it replaces `BEGIN`) or, with
/// ``Flags/standalone``, announces a single self-contained statement such as DDL.
///
/// Post-header (19 bytes, MariaDB `log_event.h`, `Gtid_log_event`): seq_no(8) domain_id(4)
/// flags(1), then commit_id(8) when `FL_GROUP_COMMIT_ID` is set, else 6 bytes of padding.
/// The server id of the GTID is the event header's.
public struct MariaDBGTIDEvent: Sendable, Hashable {
    public var header: BinlogEventHeader
    public var sequenceNumber: UInt64
    public var domainID: UInt32
    public var flags: Flags
    /// The group commit id, when the transaction was group-committed with others.
    public var commitID: UInt64?

    /// The GTID as MariaDB writes it: `domain-server-sequence`.
    public var gtid: String { "\(domainID)-\(header.serverID)-\(sequenceNumber)" }

    public struct Flags: OptionSet, Sendable, Hashable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// `FL_STANDALONE`: no BEGIN/COMMIT follows; the next statement is the whole transaction.
        public static let standalone = Flags(rawValue: 1)
        /// `FL_GROUP_COMMIT_ID`: a commit id follows.
        public static let groupCommitID = Flags(rawValue: 2)
        /// `FL_TRANSACTIONAL`: only transactional engines were changed.
        public static let transactional = Flags(rawValue: 4)
        public static let allowParallel = Flags(rawValue: 8)
        public static let waited = Flags(rawValue: 16)
        /// `FL_DDL`: the transaction is DDL.
        public static let ddl = Flags(rawValue: 32)
        public static let preparedXA = Flags(rawValue: 64)
        public static let completedXA = Flags(rawValue: 128)
    }

    static func decode(header: BinlogEventHeader, body reader: inout ByteReader) throws -> MariaDBGTIDEvent {
        let sequence = try reader.readUInt64()
        let domain = try reader.readUInt32()
        let flags = Flags(rawValue: try reader.readUInt8())
        var commitID: UInt64?
        if flags.contains(.groupCommitID) {
            commitID = try reader.readUInt64()
        }
        return MariaDBGTIDEvent(header: header, sequenceNumber: sequence, domainID: domain, flags: flags, commitID: commitID)
    }
}
