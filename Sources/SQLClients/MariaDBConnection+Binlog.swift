extension MariaDBConnection {
    /// Reads the binlog configuration and the connected user's replication privileges.
    ///
    /// Variables the server does not have (binlog_row_metadata before MySQL 8.0.1 / MariaDB
    /// 10.5, gtid_mode on MariaDB, gtid_current_pos on MySQL) come back nil rather than failing.
    public func binlogSettings() throws -> BinlogSettings {
        // SHOW ... WHERE lists only variables that exist, so one statement serves every version.
        let rows = try textRows(
            """
            SHOW GLOBAL VARIABLES WHERE Variable_name IN ('version', 'log_bin', 'binlog_format', \
            'binlog_row_image', 'binlog_row_metadata', 'server_id', 'gtid_mode', 'gtid_current_pos', \
            'binlog_transaction_compression')
            """
        )
        var variables: [String: String] = [:]
        for row in rows where row.count >= 2 {
            if let name = row[0], let value = row[1] {
                variables[name.lowercased()] = value
            }
        }
        let grantLines = try textRows("SHOW GRANTS").compactMap { $0.first ?? nil }
        let logBin = variables["log_bin"].map { ["ON", "1"].contains($0.uppercased()) } ?? false
        return BinlogSettings(
            serverVersion: variables["version"] ?? serverVersion,
            logBin: logBin,
            binlogFormat: variables["binlog_format"],
            binlogRowImage: variables["binlog_row_image"],
            binlogRowMetadata: variables["binlog_row_metadata"],
            serverID: variables["server_id"].flatMap { UInt64($0) },
            gtidMode: variables["gtid_mode"],
            gtidCurrentPosition: variables["gtid_current_pos"],
            grants: ReplicationGrants(grantLines: grantLines),
            transactionCompression: variables["binlog_transaction_compression"].map { ["ON", "1"].contains($0.uppercased()) }
        )
    }
}
