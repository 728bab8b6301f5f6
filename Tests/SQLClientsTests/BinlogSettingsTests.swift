import TestSupport
import SQLClients
import Testing

@Suite struct BinlogSettingsTests {
    /// scripts/lib/servers.sh starts MariaDB with --log-bin --binlog-format=ROW
    /// --binlog-row-image=FULL --binlog-row-metadata=FULL --server-id=1 and grants the test
    /// user REPLICATION SLAVE and BINLOG MONITOR.
    @Test func testServerIsReadyForRowBasedCDC() throws {
        let connection = try TestServers.mariaDB()
        let settings = try connection.binlogSettings()
        #expect(settings.isMariaDB)
        #expect(settings.logBin)
        #expect(settings.binlogFormat == "ROW")
        #expect(settings.binlogRowImage == "FULL")
        #expect(settings.binlogRowMetadata == "FULL")
        #expect(settings.serverID == 1)
        #expect(settings.gtidMode == nil)
        #expect(settings.gtidCurrentPosition != nil)
        #expect(settings.grants.replicationSlave)
        #expect(settings.grants.binlogMonitor)
        #expect(settings.problems == [])
        #expect(settings.recommendations == [])
        // The grant lines keep the privileges but not the password hash.
        #expect(settings.grants.lines.contains { $0.contains("REPLICATION SLAVE") })
        #expect(!settings.grants.lines.contains { $0.contains("IDENTIFIED") || $0.contains("PASSWORD") })
    }

    @Test func grantsOnOneDatabaseDoNotCount() {
        let grants = ReplicationGrants(grantLines: [
            "GRANT USAGE ON *.* TO `repl`@`%` IDENTIFIED BY PASSWORD '*0123456789ABCDEF'",
            "GRANT ALL PRIVILEGES ON `hr`.* TO `repl`@`%`",
            "GRANT REPLICATION SLAVE ON `hr`.* TO `repl`@`%`",
        ])
        #expect(!grants.replicationSlave)
        #expect(!grants.binlogMonitor)
        #expect(grants.lines[0] == "GRANT USAGE ON *.* TO `repl`@`%`")
    }

    @Test func globalPrivilegesAreRecognisedInEveryName() {
        let mariaDB105 = ReplicationGrants(grantLines: [
            "GRANT SELECT, REPLICATION SLAVE, BINLOG MONITOR ON *.* TO `repl`@`10.0.0.%` "
                + "IDENTIFIED BY PASSWORD '*ABC' WITH GRANT OPTION",
        ])
        #expect(mariaDB105.replicationSlave)
        #expect(mariaDB105.binlogMonitor)
        #expect(mariaDB105.lines == [
            "GRANT SELECT, REPLICATION SLAVE, BINLOG MONITOR ON *.* TO `repl`@`10.0.0.%` WITH GRANT OPTION",
        ])

        let mysql = ReplicationGrants(grantLines: ["GRANT REPLICATION CLIENT, REPLICATION REPLICA ON *.* TO `repl`@`%`"])
        #expect(mysql.replicationSlave)
        #expect(mysql.binlogMonitor)

        let all = ReplicationGrants(grantLines: ["GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION"])
        #expect(all.replicationSlave)
        #expect(all.binlogMonitor)

        let onlyClient = ReplicationGrants(grantLines: ["grant replication client on *.* to repl@'%'"])
        #expect(!onlyClient.replicationSlave)
        #expect(onlyClient.binlogMonitor)
    }

    @Test func problemsNameEveryMissingSetting() {
        let settings = BinlogSettings(
            serverVersion: "10.11.6-MariaDB", logBin: false, binlogFormat: "MIXED", binlogRowImage: "MINIMAL",
            binlogRowMetadata: "MINIMAL", serverID: 0, gtidMode: nil, gtidCurrentPosition: "",
            grants: ReplicationGrants(grantLines: [])
        )
        #expect(settings.problems == [
            "binary logging is off: start the server with log_bin (e.g. --log-bin=mysql-bin)",
            "binlog_format is MIXED: set binlog_format=ROW, as row changes are only logged in ROW format",
            "binlog_row_image is MINIMAL: set binlog_row_image=FULL, so that updates and deletes carry every column",
            "server_id is 0: a server with id 0 refuses replicas; set server_id to a unique non-zero value",
            "the user lacks REPLICATION SLAVE, needed to read the binary log: GRANT REPLICATION SLAVE ON *.* TO the user",
            "the user lacks BINLOG MONITOR, needed to read binary log positions: GRANT BINLOG MONITOR ON *.* TO the user",
        ])
        #expect(settings.recommendations.count == 1)
        #expect(settings.recommendations.first?.hasPrefix("binlog_row_metadata is MINIMAL") == true)

        var mysql57 = settings
        mysql57.serverVersion = "5.7.44-log"
        mysql57.binlogRowMetadata = nil
        #expect(mysql57.problems.last?.contains("REPLICATION CLIENT") == true)
        #expect(mysql57.recommendations == [])

        var compressed = settings
        compressed.serverVersion = "8.0.36"
        compressed.transactionCompression = true
        #expect(compressed.problems.contains(
            "binlog_transaction_compression is ON: scimsync cannot read compressed transactions (TRANSACTION_PAYLOAD events); "
                + "set binlog_transaction_compression=OFF"))
    }
}
