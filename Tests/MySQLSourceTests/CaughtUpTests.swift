import Directory
import SQLClients
import Testing

@testable import MySQLSource

/// What `status` calls caught up: the server's own position, or, after a rotation moved it to
/// a new file with no transaction in it, the same GTID position.
@Suite struct CaughtUpTests {
    let committed = SourcePosition.binlog(file: "binlog.000001", offset: 5_634, gtid: "0-1-15")

    @Test func atOrPastTheServersPositionIsCaughtUp() {
        #expect(MySQLConnector.isCaughtUp(committed, now: BinlogCoordinates(file: "binlog.000001", offset: 5_634, gtid: "0-1-15")))
        #expect(!MySQLConnector.isCaughtUp(committed, now: BinlogCoordinates(file: "binlog.000001", offset: 5_900, gtid: "0-1-16")))
    }

    @Test func aRotationWithNoTransactionSinceIsCaughtUp() {
        #expect(MySQLConnector.isCaughtUp(committed, now: BinlogCoordinates(file: "binlog.000002", offset: 379, gtid: "0-1-15")))
        // A transaction since, or in another domain, or no GTID to tell: behind.
        #expect(!MySQLConnector.isCaughtUp(committed, now: BinlogCoordinates(file: "binlog.000002", offset: 700, gtid: "0-1-16")))
        #expect(!MySQLConnector.isCaughtUp(committed, now: BinlogCoordinates(file: "binlog.000002", offset: 700, gtid: "0-1-15,1-1-3")))
        #expect(!MySQLConnector.isCaughtUp(committed, now: BinlogCoordinates(file: "binlog.000002", offset: 379, gtid: nil)))
        let withoutGTID = SourcePosition.binlog(file: "binlog.000001", offset: 5_634, gtid: nil)
        #expect(!MySQLConnector.isCaughtUp(withoutGTID, now: BinlogCoordinates(file: "binlog.000002", offset: 379, gtid: "0-1-15")))
        // Domains in another order are the same position.
        let twoDomains = SourcePosition.binlog(file: "binlog.000001", offset: 10, gtid: "0-1-15,1-1-3")
        #expect(MySQLConnector.isCaughtUp(twoDomains, now: BinlogCoordinates(file: "binlog.000002", offset: 379, gtid: "1-1-3,0-1-15")))
    }
}
