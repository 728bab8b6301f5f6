import Directory
import Foundation
import SQLClients
import TestSupport
import Testing

/// MariaDBReplicationStream against the MariaDB that scripts/test starts (binlog on, ROW,
/// binlog_checksum at its default CRC32).
@Suite struct ReplicationStreamTests {
    @Test func anInsertArrivesAsGTIDTableMapWriteRowsXIDWithChecksums() throws {
        let connection = try TestServers.mariaDB()
        let table = TestServers.uniqueName("stream")
        try connection.execute("CREATE TABLE \(table) (id INT PRIMARY KEY, name VARCHAR(64)) ENGINE=InnoDB")
        defer { _ = try? connection.execute("DROP TABLE \(table)") }
        #expect(try connection.query("SELECT @@GLOBAL.binlog_checksum AS c") == [Row(["c": .text("CRC32")])])
        let start = try connection.currentBinlogPosition()
        let marker = "marker-\(UUID().uuidString)"
        try connection.query("INSERT INTO \(table) VALUES (1, ?)", [.text(marker)])

        let stream = try openStream(from: start.start)
        #expect(stream.checksum == .crc32)
        let events = try readToEnd(stream)

        // A dump starts with a fake ROTATE naming the file and offset (MariaDB docs, "Fake
        // ROTATE_EVENT"): artificial, timestamp 0, next position 0.
        let rotate = try #require(events.first)
        #expect(rotate.typeCode == EventType.rotate)
        #expect(rotate.timestamp == 0)
        #expect(rotate.nextPosition == 0)
        #expect(rotate.flags & artificialFlag != 0)
        #expect(rotate.uint64(at: 19) == start.offset)
        #expect(rotate.contains(start.file))
        #expect(events.dropFirst().first?.typeCode == EventType.formatDescription)

        // Every event ends with the CRC32 of everything before it.
        for event in events {
            #expect(event.eventLength == UInt32(event.bytes.count))
            let footer = event.uint32(at: event.bytes.count - 4)
            #expect(footer == crc32(event.bytes.dropLast(4)), "event type \(event.typeCode)")
        }

        // Events written to the file (not artificial) come in file order, the first starting at
        // the requested offset. Each starts at or after the end of the one before: ANNOTATE_ROWS
        // events (the statement's text) are in the file but only sent to replicas that ask.
        let written = events.filter { $0.nextPosition != 0 }
        let first = try #require(written.first)
        #expect(UInt64(first.nextPosition - first.eventLength) == start.offset)
        for (previous, next) in zip(written, written.dropFirst()) {
            #expect(next.nextPosition - next.eventLength >= previous.nextPosition)
        }

        // The transaction is one contiguous group: GTID, TABLE_MAP, WRITE_ROWS v1, XID.
        let mapIndex = try #require(events.firstIndex { $0.typeCode == EventType.tableMap && $0.contains(table) })
        try #require(mapIndex >= 1 && mapIndex + 2 < events.count)
        #expect(events[mapIndex - 1].typeCode == EventType.mariaDBGTID)
        #expect(events[mapIndex + 1].typeCode == EventType.writeRowsV1)
        #expect(events[mapIndex + 1].contains(marker))
        #expect(events[mapIndex + 2].typeCode == EventType.xid)
        #expect(events.filter { $0.contains(marker) }.count == 1)
    }

    @Test func aGTIDStartSendsOnlyLaterTransactions() throws {
        let connection = try TestServers.mariaDB()
        let table = TestServers.uniqueName("gtid")
        try connection.execute("CREATE TABLE \(table) (id INT PRIMARY KEY, name VARCHAR(64)) ENGINE=InnoDB")
        defer { _ = try? connection.execute("DROP TABLE \(table)") }
        let before = "before-\(UUID().uuidString)"
        let after = "after-\(UUID().uuidString)"
        try connection.query("INSERT INTO \(table) VALUES (1, ?)", [.text(before)])
        // @@last_gtid: the GTID of this session's last transaction (MariaDB ≥ 10.0.2).
        let beforeGTID = try #require(try connection.query("SELECT @@last_gtid AS g").first?["g"])
        try connection.query("INSERT INTO \(table) VALUES (2, ?)", [.text(after)])
        let afterGTID = try #require(try connection.query("SELECT @@last_gtid AS g").first?["g"])
        guard case .text(let startGTID) = beforeGTID, case .text(let expectedGTID) = afterGTID else {
            Issue.record("@@last_gtid is not text: \(beforeGTID), \(afterGTID)")
            return
        }

        let events = try readToEnd(try openStream(from: .gtid(startGTID)))

        #expect(!events.contains { $0.contains(before) })
        #expect(events.filter { $0.contains(after) }.count == 1)
        let mapIndex = try #require(events.firstIndex { $0.typeCode == EventType.tableMap && $0.contains(table) })
        let gtid = events[mapIndex - 1]
        try #require(gtid.typeCode == EventType.mariaDBGTID)
        // GTID event body: sequence uint<8>, domain uint<4> (MariaDB docs, "GTID_EVENT").
        let text = "\(gtid.uint32(at: 27))-\(gtid.serverID)-\(gtid.uint64(at: 19))"
        #expect(text == expectedGTID)
    }

    @Test func aMissingBinlogFileIsPositionUnavailable() throws {
        let stream = try openStream(from: .filePosition(file: "no-such-binlog.000999", position: 4))
        let error = try #require(throws: ReplicationError.self) { try stream.fetch() }
        #expect(error.kind == .positionUnavailable)
        #expect(error.code == 1236)
        #expect(!error.isRetryable)
        #expect(!error.description.contains("no-such-binlog"))
        // Finished: no second attempt to read from a dead dump.
        #expect(try stream.fetch() == nil)
    }

    @Test func aPositionInsideAnEventIsPositionUnavailableAndSaysSo() throws {
        let connection = try TestServers.mariaDB()
        let table = TestServers.uniqueName("inside")
        try connection.execute("CREATE TABLE \(table) (id INT PRIMARY KEY) ENGINE=InnoDB")
        defer { _ = try? connection.execute("DROP TABLE \(table)") }
        try connection.query("INSERT INTO \(table) VALUES (1)")
        // The current end is where the next event will start; one byte before it lies inside
        // the last event written (the INSERT's XID).
        let end = try connection.currentBinlogPosition()
        let stream = try openStream(from: .filePosition(file: end.file, position: end.offset - 1))
        // The dump's fake ROTATE comes first; the refusal follows it.
        let error = try #require(throws: ReplicationError.self) { _ = try readToEnd(stream) }
        #expect(error.kind == .positionUnavailable)
        #expect(error.code == 1236)
        #expect(error.description.contains("the position is not where an event starts"))
    }

    @Test func aGTIDTheServerNeverWroteIsPositionUnavailable() throws {
        // Domain 0 of server 1 (the test server) exists, but not this far: MariaDB refuses the
        // dump ("connecting slave requested to start from GTID ..., which is not in the
        // master's binlog"). A GTID of a domain the binlog never had is different: MariaDB
        // then streams from its oldest binlog, as for a replica new to that domain.
        let stream = try openStream(from: .gtid("0-1-999999999"))
        let error = try #require(throws: ReplicationError.self) { try stream.fetch() }
        #expect(error.kind == .positionUnavailable)
        #expect(error.code == 1236)
    }

    @Test func aWrongPasswordIsAccessDeniedAndNotRetried() throws {
        let url = try TestServers.mariaDBURL()
        let password = "wrong-\(url.password)"
        let error = try #require(throws: ReplicationError.self) {
            try MariaDBReplicationStream(
                host: url.host, port: url.port, user: url.user, password: password, serverID: uniqueServerID(),
                start: .gtid("0-1-1")
            )
        }
        #expect(error.kind == .accessDenied)
        #expect(error.code == 1045)
        #expect(!error.isRetryable)
        #expect(!String(reflecting: error).contains(password))
    }

    @Test func aClosedPortIsCannotConnectAndRetried() throws {
        let url = try TestServers.mariaDBURL()
        let error = try #require(throws: ReplicationError.self) {
            try MariaDBReplicationStream(
                host: "127.0.0.1", port: try TestServers.refusingPort(), user: url.user, password: url.password,
                serverID: uniqueServerID(), start: .gtid("0-1-1"), connectTimeout: 3
            )
        }
        #expect(error.kind == .cannotConnect)
        #expect(error.isRetryable)
    }

    @Test func currentPositionAndBinaryLogsAgree() throws {
        let connection = try TestServers.mariaDB()
        let table = TestServers.uniqueName("position")
        try connection.execute("CREATE TABLE \(table) (id INT PRIMARY KEY) ENGINE=InnoDB")
        defer { _ = try? connection.execute("DROP TABLE \(table)") }
        let before = try connection.currentBinlogPosition()
        try connection.execute("INSERT INTO \(table) VALUES (1)")
        let after = try connection.currentBinlogPosition()
        let lastGTID = try connection.query("SELECT @@last_gtid AS g").first?["g"]

        let logs = try connection.binaryLogs()
        let current = try #require(logs.last)
        #expect(logs.map(\.name).contains(before.file))
        #expect(current.name == after.file)
        #expect(current.size >= after.offset)
        #expect(before.file != after.file || after.offset > before.offset)
        // The session's own transaction is in the server's GTID position for its domain.
        guard case .text(let gtid) = lastGTID else {
            Issue.record("no @@last_gtid")
            return
        }
        let domain = gtid.split(separator: "-")[0]
        let positions = try #require(after.gtid).split(separator: ",")
        let sameDomain = try #require(positions.first { $0.split(separator: "-")[0] == domain })
        #expect(UInt64(sameDomain.split(separator: "-")[2])! >= UInt64(gtid.split(separator: "-")[2])!)
        #expect(after.sourcePosition == .binlog(file: after.file, offset: after.offset, gtid: after.gtid))
    }
}
