import Directory

/// Where a binlog stream starts.
public enum BinlogStart: Sendable, Hashable {
    /// A binlog file and a byte offset in it that is an event boundary (4 is the first event
    /// after the magic number). Works with MySQL and MariaDB.
    case filePosition(file: String, position: UInt64)
    /// A MariaDB GTID position such as `0-1-42` (one `domain-server-sequence` per replication
    /// domain, comma-separated): the stream starts after those transactions.
    case gtid(String)
}

/// A position in a server's binary log: file, offset and, when the server has one, the GTID
/// position that corresponds to it.
public struct BinlogCoordinates: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var offset: UInt64
    /// MariaDB `@@gtid_binlog_pos` (`0-1-42`), MySQL `Executed_Gtid_Set`; nil or empty when
    /// the server has no GTIDs yet.
    public var gtid: String?

    public init(file: String, offset: UInt64, gtid: String?) {
        self.file = file
        self.offset = offset
        self.gtid = gtid
    }

    /// Starting a stream here by file and offset.
    public var start: BinlogStart {
        .filePosition(file: file, position: offset)
    }

    public var sourcePosition: SourcePosition {
        .binlog(file: file, offset: offset, gtid: gtid)
    }

    /// `binlog.000003:1234`.
    public var description: String {
        "\(file):\(offset)"
    }
}

/// One binary log file the server still has (`SHOW BINARY LOGS`).
public struct BinaryLogFile: Sendable, Hashable {
    public var name: String
    /// Its size in bytes, which is also the offset just after its last event.
    public var size: UInt64

    public init(name: String, size: UInt64) {
        self.name = name
        self.size = size
    }
}
