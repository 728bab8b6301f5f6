import Foundation

/// What a MariaDB/MySQL server's binary log looks like to a CDC reader, and whether the
/// connected user may read it. Everything scimsync needs from a source server before
/// streaming, in one place for `scimsync check`.
public struct BinlogSettings: Sendable, Hashable {
    /// `@@version`, e.g. `10.11.6-MariaDB-log`.
    public var serverVersion: String
    /// `@@log_bin`: binary logging is on.
    public var logBin: Bool
    /// `@@binlog_format`: ROW, STATEMENT or MIXED.
    public var binlogFormat: String?
    /// `@@binlog_row_image`: FULL, MINIMAL, NOBLOB (MariaDB also FULL_NODUP).
    public var binlogRowImage: String?
    /// `@@binlog_row_metadata`: NO_LOG, MINIMAL, FULL. Nil where the server lacks it
    /// (MySQL before 8.0.1, MariaDB before 10.5).
    public var binlogRowMetadata: String?
    /// `@@server_id`.
    public var serverID: UInt64?
    /// MySQL's `@@gtid_mode` (OFF, ON, ...); nil on MariaDB.
    public var gtidMode: String?
    /// MariaDB's `@@gtid_current_pos` (e.g. `0-1-42`, empty before the first transaction);
    /// nil on MySQL.
    public var gtidCurrentPosition: String?
    public var grants: ReplicationGrants
    /// MySQL 8.0.20+ `@@binlog_transaction_compression`; nil where the server lacks it (MariaDB).
    public var transactionCompression: Bool?

    public init(
        serverVersion: String, logBin: Bool, binlogFormat: String?, binlogRowImage: String?,
        binlogRowMetadata: String?, serverID: UInt64?, gtidMode: String?, gtidCurrentPosition: String?,
        grants: ReplicationGrants, transactionCompression: Bool? = nil
    ) {
        self.transactionCompression = transactionCompression
        self.serverVersion = serverVersion
        self.logBin = logBin
        self.binlogFormat = binlogFormat
        self.binlogRowImage = binlogRowImage
        self.binlogRowMetadata = binlogRowMetadata
        self.serverID = serverID
        self.gtidMode = gtidMode
        self.gtidCurrentPosition = gtidCurrentPosition
        self.grants = grants
    }

    public var isMariaDB: Bool {
        serverVersion.lowercased().contains("mariadb")
    }

    /// What stops scimsync from reading row changes, each naming the fix. Empty when the
    /// server and user are ready.
    public var problems: [String] {
        var problems: [String] = []
        if !logBin {
            problems.append("binary logging is off: start the server with log_bin (e.g. --log-bin=mysql-bin)")
        }
        if binlogFormat?.uppercased() != "ROW" {
            problems.append("binlog_format is \(binlogFormat ?? "unknown"): set binlog_format=ROW, "
                + "as row changes are only logged in ROW format")
        }
        if binlogRowImage?.uppercased() != "FULL" {
            problems.append("binlog_row_image is \(binlogRowImage ?? "unknown"): set binlog_row_image=FULL, "
                + "so that updates and deletes carry every column")
        }
        if transactionCompression == true {
            problems.append("binlog_transaction_compression is ON: scimsync cannot read compressed transactions "
                + "(TRANSACTION_PAYLOAD events); set binlog_transaction_compression=OFF")
        }
        if serverID == 0 {
            problems.append("server_id is 0: a server with id 0 refuses replicas; set server_id to a "
                + "unique non-zero value")
        }
        if !grants.replicationSlave {
            problems.append("the user lacks REPLICATION SLAVE, needed to read the binary log: "
                + "GRANT REPLICATION SLAVE ON *.* TO the user")
        }
        if !grants.binlogMonitor {
            let privilege = isMariaDB ? "BINLOG MONITOR" : "REPLICATION CLIENT"
            problems.append("the user lacks \(privilege), needed to read binary log positions: "
                + "GRANT \(privilege) ON *.* TO the user")
        }
        return problems
    }

    /// Settings that work but make scimsync do more: empty when all are as recommended.
    public var recommendations: [String] {
        if let metadata = binlogRowMetadata, metadata.uppercased() != "FULL" {
            return ["binlog_row_metadata is \(metadata): FULL puts column names and types into the "
                + "binary log, so table changes never need a catalog lookup to decode"]
        }
        return []
    }
}

/// The global privileges of the connected user that concern binlog reading, read from
/// `SHOW GRANTS`. Best effort: privileges that come only through roles are not seen.
public struct ReplicationGrants: Sendable, Hashable {
    /// REPLICATION SLAVE (alias REPLICATION REPLICA): may request the binlog stream.
    public var replicationSlave: Bool
    /// REPLICATION CLIENT, or BINLOG MONITOR from MariaDB 10.5: may read binlog positions
    /// (`SHOW MASTER STATUS`, `SHOW BINARY LOGS`).
    public var binlogMonitor: Bool
    /// The grant lines as the server printed them, with any `IDENTIFIED BY/VIA ...` clause
    /// (a password hash) cut out.
    public var lines: [String]

    public init(replicationSlave: Bool, binlogMonitor: Bool, lines: [String]) {
        self.replicationSlave = replicationSlave
        self.binlogMonitor = binlogMonitor
        self.lines = lines
    }

    /// Reads `SHOW GRANTS` lines such as
    /// `GRANT SELECT, REPLICATION SLAVE ON *.* TO 'repl'@'%' IDENTIFIED BY PASSWORD '*AB12...'`.
    /// Only grants `ON *.*` count: replication privileges are global.
    public init(grantLines: [String]) {
        var replicationSlave = false
        var binlogMonitor = false
        for line in grantLines {
            let privileges = Self.globalPrivileges(in: line)
            if privileges.contains("ALL PRIVILEGES") || privileges.contains("ALL") {
                replicationSlave = true
                binlogMonitor = true
            }
            if privileges.contains("REPLICATION SLAVE") || privileges.contains("REPLICATION REPLICA") {
                replicationSlave = true
            }
            if privileges.contains("REPLICATION CLIENT") || privileges.contains("BINLOG MONITOR") {
                binlogMonitor = true
            }
        }
        self.init(replicationSlave: replicationSlave, binlogMonitor: binlogMonitor, lines: grantLines.map(Self.redacted))
    }

    /// The privileges of a `GRANT ... ON *.* TO ...` line, upper-cased; empty for other lines
    /// (grants on one database, role grants, PROXY).
    static func globalPrivileges(in line: String) -> Set<String> {
        let upper = line.uppercased()
        guard upper.hasPrefix("GRANT "), let on = upper.range(of: " ON ") else { return [] }
        let target = upper[on.upperBound...].drop { $0 == " " }
        guard target.hasPrefix("*.*") else { return [] }
        let list = upper[upper.index(upper.startIndex, offsetBy: 6)..<on.lowerBound]
        return Set(list.split(separator: ",").map { $0.trimmingSpaces() })
    }

    /// The line without its `IDENTIFIED ...` clause, which holds a password hash, up to
    /// ` WITH ` or the end.
    static func redacted(_ line: String) -> String {
        guard let identified = line.range(of: " IDENTIFIED ", options: .caseInsensitive) else { return line }
        let rest = line[identified.upperBound...]
        let tail = rest.range(of: " WITH ", options: .caseInsensitive).map { String(rest[$0.lowerBound...]) } ?? ""
        return String(line[..<identified.lowerBound]) + tail
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
