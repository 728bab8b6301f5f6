import Directory
import Foundation
import MySQLSource
import SQLClients
import TestSupport
import Testing

@Suite struct ConsistentSnapshotTests {
    @Test func theSnapshotAndTheStreamFromItsPositionMeetExactly() throws {
        let reader = try TestServers.mariaDB()
        let writer = try TestServers.mariaDB()
        let table = TestServers.uniqueName("snap")
        try writer.execute("CREATE TABLE \(table) (id INT PRIMARY KEY, name VARCHAR(64)) ENGINE=InnoDB")
        defer { _ = try? writer.execute("DROP TABLE \(table)") }
        let before = "before-\(UUID().uuidString)"
        let after = "after-\(UUID().uuidString)"
        try writer.query("INSERT INTO \(table) VALUES (1, ?)", [.text(before)])

        let snapshot = try ConsistentSnapshot(connection: reader)
        try writer.query("INSERT INTO \(table) VALUES (2, ?)", [.text(after)])
        let writerPosition = try writer.currentBinlogPosition()

        var chunks = snapshot.chunks(ofTable: table, primaryKey: ["id"], chunkSize: 10)
        var rows: [Row] = []
        while let chunk = try chunks.next() {
            rows += chunk
        }
        try snapshot.finish()
        #expect(rows == [Row(["id": .int(1), "name": .text(before)])])

        #expect(snapshot.position.file == writerPosition.file)
        #expect(snapshot.position.offset < writerPosition.offset)
        #expect(snapshot.position.gtid != nil)
        // The GTID position is the one of the snapshot's file and offset, not a later one.
        #expect(try writer.gtidPosition(at: snapshot.position) == snapshot.position.gtid)

        let events = try readToEnd(try openStream(from: snapshot.position.start))
        let written = events.filter { $0.nextPosition != 0 }
        let first = try #require(written.first)
        #expect(UInt64(first.nextPosition - first.eventLength) == snapshot.position.offset)
        #expect(events.filter { $0.typeCode == EventType.writeRowsV1 && $0.contains(after) }.count == 1)
        #expect(!events.contains { $0.contains(before) })

        // Streaming from the snapshot's GTID position gives the same transactions.
        if let gtid = snapshot.position.gtid {
            let byGTID = try readToEnd(try openStream(from: .gtid(gtid)))
            #expect(byGTID.filter { $0.typeCode == EventType.writeRowsV1 && $0.contains(after) }.count == 1)
            #expect(!byGTID.contains { $0.contains(before) })
        }
    }

    @Test func keysetChunksOverACompositeKeyReturnEveryRowOnceInOrder() throws {
        let connection = try TestServers.mariaDB()
        let table = TestServers.uniqueName("keyset")
        try connection.execute(
            "CREATE TABLE \(table) (a INT NOT NULL, b VARCHAR(8) NOT NULL, v INT, PRIMARY KEY (a, b)) ENGINE=InnoDB"
        )
        defer { _ = try? connection.execute("DROP TABLE \(table)") }
        // Inserted out of order; several rows share `a`, so the second key column decides.
        let keys: [(Int64, String)] = [
            (3, "b"), (1, "c"), (2, "a"), (1, "a"), (3, "a"), (2, "c"), (1, "b"), (4, "a"), (2, "b"), (3, "c"),
        ]
        for (index, key) in keys.enumerated() {
            try connection.query("INSERT INTO \(table) VALUES (?, ?, ?)", [.int(key.0), .text(key.1), .int(Int64(index))])
        }
        let expected = try connection.query("SELECT a, b, v FROM \(table) ORDER BY a, b")
        try #require(expected.count == 10)

        let snapshot = try ConsistentSnapshot(connection: connection)
        var chunks = snapshot.chunks(ofTable: table, primaryKey: ["a", "b"], columns: ["a", "b", "v"], chunkSize: 3)
        var sizes: [Int] = []
        var rows: [Row] = []
        while let chunk = try chunks.next() {
            sizes.append(chunk.count)
            rows += chunk
        }
        try snapshot.finish()
        #expect(sizes == [3, 3, 3, 1])
        #expect(rows == expected)
        #expect(rows.first == Row(["a": .int(1), "b": .text("a"), "v": .int(3)]))
        #expect(rows.last == Row(["a": .int(4), "b": .text("a"), "v": .int(7)]))
    }

    @Test func aTableFillingWholeChunksEndsWithoutAnEmptyChunk() throws {
        let connection = try TestServers.mariaDB()
        let database = try #require(try connection.query("SELECT DATABASE() AS d").first?["d"])
        guard case .text(let databaseName) = database else {
            Issue.record("no database")
            return
        }
        // A name that needs quoting, with a backtick inside.
        let table = TestServers.uniqueName("odd`name")
        let quoted = "`" + table.replacingOccurrences(of: "`", with: "``") + "`"
        try connection.execute("CREATE TABLE \(quoted) (`key col` INT PRIMARY KEY, v INT) ENGINE=InnoDB")
        defer { _ = try? connection.execute("DROP TABLE \(quoted)") }
        for id in 1...6 {
            try connection.query("INSERT INTO \(quoted) VALUES (?, ?)", [.int(Int64(id)), .int(Int64(id * 10))])
        }
        let snapshot = try ConsistentSnapshot(connection: connection)
        // Only `v` is asked for: the key column is added, as the next chunk starts after it.
        var chunks = snapshot.chunks(
            ofTable: table, database: databaseName, primaryKey: ["key col"], columns: ["v"], chunkSize: 3
        )
        var all: [[Row]] = []
        while let chunk = try chunks.next() {
            all.append(chunk)
        }
        #expect(all.map(\.count) == [3, 3])
        #expect(all.joined().map { $0["v"] } == (1...6).map { .int(Int64($0 * 10)) })
        #expect(all.joined().map { $0["key col"] } == (1...6).map { .int(Int64($0)) })
        #expect(try chunks.next() == nil)
    }
}
