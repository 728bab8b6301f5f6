import Testing
import MySQLBinlog

/// Non-row events of the MariaDB fixtures.
@Suite struct MariaDBEventTests {
    let events: [(event: BinlogEvent, position: BinlogPosition)]

    init() throws {
        events = try Fixtures.events("binlog.000002")
    }

    func event(at offset: UInt64) -> BinlogEvent? {
        events.first { $0.position.offset == offset }?.event
    }

    @Test func formatDescription() throws {
        guard case .formatDescription(let format) = events.first?.event else {
            Issue.record("first event is not a FORMAT_DESCRIPTION")
            return
        }
        #expect(format.binlogVersion == 4)
        #expect(format.serverVersion == "10.11.19-MariaDB-0+deb12u1-log")
        #expect(format.flavor == .mariaDB)
        #expect(format.checksum == .crc32)
        #expect(format.headerLength == 19)
        #expect(format.postHeaderLength(of: .query) == 13)
        #expect(format.postHeaderLength(of: .tableMap) == 8)
        #expect(format.postHeaderLength(of: .mariaDBGTID) == 19)
    }

    @Test func gtidListAndCheckpoints() {
        guard case .mariaDBGTIDList(let list) = event(at: 256) else {
            Issue.record("no GTID_LIST at 256")
            return
        }
        #expect(list.gtids == [MariaDBGTID(domainID: 0, serverID: 1, sequenceNumber: 11)])
        guard case .binlogCheckpoint(let first) = event(at: 299), case .binlogCheckpoint(let second) = event(at: 339) else {
            Issue.record("no BINLOG_CHECKPOINTs at 299 and 339")
            return
        }
        #expect(first.file == "binlog.000001")
        #expect(second.file == "binlog.000002")
    }

    @Test func ddlGTIDIsStandaloneAndItsQueryCarriesTheSchema() {
        guard case .mariaDBGTID(let gtid) = event(at: 379), case .query(let query) = event(at: 421) else {
            Issue.record("no GTID + QUERY at 379/421")
            return
        }
        #expect(gtid.gtid == "0-1-12")
        #expect(gtid.flags.contains(.standalone))
        #expect(gtid.flags.contains(.ddl))
        #expect(query.schema == "fx")
        #expect(query.statement == "CREATE TABLE people (id INT PRIMARY KEY, name VARCHAR(50), age INT) ENGINE=InnoDB")
        #expect(query.kind == .other)
        #expect(query.header.nextPosition == 576)
    }

    @Test func transactionGTIDAnnotateAndXID() {
        guard case .mariaDBGTID(let gtid) = event(at: 939), case .annotateRows(let annotate) = event(at: 981),
            case .xid(let xid) = event(at: 1188)
        else {
            Issue.record("no GTID/ANNOTATE_ROWS/XID at 939/981/1188")
            return
        }
        #expect(gtid.gtid == "0-1-15")
        #expect(!gtid.flags.contains(.standalone))
        #expect(gtid.flags.contains(.transactional))
        #expect(annotate.statement == "INSERT INTO people VALUES (1,'Ann',30),(2,'Bob',40)")
        #expect(xid.header.nextPosition == 1219)
    }

    @Test func commitAndRollbackQueries() {
        guard case .query(let commit) = event(at: 1950), case .query(let rollback) = event(at: 3157) else {
            Issue.record("no COMMIT/ROLLBACK queries at 1950/3157")
            return
        }
        #expect(commit.kind == .commit)
        #expect(rollback.kind == .rollback)
    }

    @Test func rotateToTheNextFile() {
        guard case .rotate(let rotate) = events.last?.event else {
            Issue.record("the file does not end with a ROTATE")
            return
        }
        #expect(rotate.nextFile == "binlog.000003")
        #expect(rotate.position == 4)
        #expect(events.last?.position.offset == 4188)
    }

    @Test func tableIDChangesAfterAlterTable() throws {
        let maps = events.compactMap { entry -> TableMapEvent? in
            if case .tableMap(let map) = entry.event, map.table == "people" { return map }
            return nil
        }
        #expect(maps.map(\.tableID) == [28, 28, 28, 28, 28, 31, 32])
        #expect(maps.last?.columnNames == ["id", "full_name", "email"])
    }
}
