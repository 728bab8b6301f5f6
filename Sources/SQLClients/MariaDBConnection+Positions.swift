extension MariaDBConnection {
    /// Whether the server is MariaDB (from its version string), not MySQL.
    public var isMariaDB: Bool {
        serverVersion.lowercased().contains("mariadb")
    }

    /// The server's current binlog write position: the end of the last committed
    /// transaction, where a stream started now would begin.
    ///
    /// Reads `SHOW MASTER STATUS` (MySQL 8.4 renamed it `SHOW BINARY LOG STATUS`, tried when the
    /// first is refused) and, on MariaDB, `@@gtid_binlog_pos`; MySQL's `Executed_Gtid_Set`
    /// column is used there. Needs REPLICATION CLIENT, or BINLOG MONITOR on MariaDB ≥ 10.5.
    /// - Throws: `MariaDBError`; `ReplicationError` with `.other` when binary logging is off
    ///   (the statement then returns no row).
    public func currentBinlogPosition() throws -> BinlogCoordinates {
        let rows: [[String?]]
        do {
            rows = try textRows("SHOW MASTER STATUS")
        } catch let error as MariaDBError where error.code == 1064 {
            rows = try textRows("SHOW BINARY LOG STATUS")
        }
        guard let row = rows.first, row.count >= 2, let file = row[0], let offset = row[1].flatMap({ UInt64($0) })
        else {
            throw ReplicationError(
                kind: .other, code: 0,
                message: "SHOW MASTER STATUS returned no position: binary logging is off (start the server with log_bin)"
            )
        }
        var gtid: String?
        if isMariaDB {
            gtid = try textRows("SELECT @@GLOBAL.gtid_binlog_pos").first?.first ?? nil
        } else if row.count >= 5 {
            // MySQL: File, Position, Binlog_Do_DB, Binlog_Ignore_DB, Executed_Gtid_Set.
            gtid = row[4]
        }
        return BinlogCoordinates(file: file, offset: offset, gtid: gtid.flatMap { $0.isEmpty ? nil : $0 })
    }

    /// The binary log files the server still has, oldest first (`SHOW BINARY LOGS`), e.g. to
    /// start from the earliest one.
    public func binaryLogs() throws -> [BinaryLogFile] {
        try textRows("SHOW BINARY LOGS").compactMap { row in
            guard row.count >= 2, let name = row[0], let size = row[1].flatMap({ UInt64($0) }) else { return nil }
            return BinaryLogFile(name: name, size: size)
        }
    }

    /// MariaDB's GTID position that corresponds to a binlog file and offset
    /// (`BINLOG_GTID_POS(file, offset)`), or nil when the server cannot say (MySQL, or a
    /// position it no longer has). Empty means "before any GTID".
    public func gtidPosition(at position: BinlogCoordinates) throws -> String? {
        guard isMariaDB else { return nil }
        let rows = try query("SELECT BINLOG_GTID_POS(?, ?)", [.text(position.file), .uint(position.offset)])
        guard let value = rows.first?.values.first else { return nil }
        switch value {
        case .text(let text): return text
        case .bytes(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .null, .bool, .int, .uint, .double, .decimal, .date, .time, .dateTime, .timestamp, .json, .bits:
            return nil
        }
    }
}
