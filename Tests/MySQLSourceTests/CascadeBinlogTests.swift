import Directory
import Foundation
import SQLClients
import TestSupport
import Testing

/// What MariaDB's binlog (binlog_format=ROW, binlog_row_image=FULL, as scripts/test starts it)
/// carries of a foreign key's cascading actions: the parent's row change only. CascadeRules
/// rests on this; the test checks it on the server rather than taking the manual's word.
@Suite struct CascadeBinlogTests {
    /// DELETE_ROWS and UPDATE_ROWS, v1 (what MariaDB writes) and v2 (MySQL).
    private static let deleteRows: Set<UInt8> = [25, 32]
    private static let updateRows: Set<UInt8> = [24, 31]
    /// Every rows event: WRITE, UPDATE, DELETE v1 and v2, and MariaDB's compressed ones (166-171).
    private static let rowsEvents: Set<UInt8> = [23, 24, 25, 30, 31, 32, 166, 167, 168, 169, 170, 171]

    /// The table id that TABLE_MAP and rows events start their post-header with (6 bytes,
    /// little-endian, after the 19-byte event header).
    private static func tableID(_ event: RawBinlogEvent) -> UInt64 {
        event.uint64(at: 19) & 0xFFFF_FFFF_FFFF
    }

    @Test func cascadedChildRowsAreNotInTheBinlog() throws {
        let connection = try TestServers.mariaDB()
        let parent = TestServers.uniqueName("cb_parent")
        let cascaded = TestServers.uniqueName("cb_cascaded")
        let nulled = TestServers.uniqueName("cb_nulled")
        try connection.execute("CREATE TABLE \(parent) (id INT PRIMARY KEY, marker VARCHAR(64)) ENGINE=InnoDB")
        try connection.execute(
            """
            CREATE TABLE \(cascaded) (id INT PRIMARY KEY, parent_id INT, marker VARCHAR(64),
              FOREIGN KEY (parent_id) REFERENCES \(parent) (id) ON DELETE CASCADE ON UPDATE CASCADE) ENGINE=InnoDB
            """)
        try connection.execute(
            """
            CREATE TABLE \(nulled) (id INT PRIMARY KEY, parent_id INT NULL, marker VARCHAR(64),
              FOREIGN KEY (parent_id) REFERENCES \(parent) (id) ON DELETE SET NULL) ENGINE=InnoDB
            """)
        defer {
            for table in [cascaded, nulled, parent] { _ = try? connection.execute("DROP TABLE IF EXISTS \(table)") }
        }
        let deletedParent = "p1-\(UUID().uuidString)"
        let updatedParent = "p2-\(UUID().uuidString)"
        let childMarkers = (0..<3).map { "child\($0)-\(UUID().uuidString)" }
        try connection.query("INSERT INTO \(parent) VALUES (1, ?), (2, ?)", [.text(deletedParent), .text(updatedParent)])
        try connection.query("INSERT INTO \(cascaded) VALUES (10, 1, ?), (11, 2, ?)", [.text(childMarkers[0]), .text(childMarkers[1])])
        try connection.query("INSERT INTO \(nulled) VALUES (20, 1, ?)", [.text(childMarkers[2])])
        #expect(try connection.query("SELECT @@GLOBAL.binlog_format AS f") == [Row(["f": .text("ROW")])])

        let start = try connection.currentBinlogPosition()
        try connection.execute("DELETE FROM \(parent) WHERE id = 1")
        try connection.execute("UPDATE \(parent) SET id = 3 WHERE id = 2")

        // The cascades did run on the source: one child deleted, one set to NULL, one moved.
        #expect(
            try connection.query("SELECT id, parent_id FROM \(cascaded) ORDER BY id")
                == [Row(["id": .int(11), "parent_id": .int(3)])])
        #expect(try connection.query("SELECT id, parent_id FROM \(nulled)") == [Row(["id": .int(20), "parent_id": .null])])

        let events = try readToEnd(try openStream(from: start.start))
        // The parent's own changes are there (the reading works and reached them) ...
        #expect(events.contains { $0.typeCode == EventType.tableMap && $0.contains(parent) })
        #expect(events.contains { Self.deleteRows.contains($0.typeCode) && $0.contains(deletedParent) })
        #expect(events.contains { Self.updateRows.contains($0.typeCode) && $0.contains(updatedParent) })
        // ... and nothing of the children's rows. MariaDB does map the child tables (a TABLE_MAP
        // for each table the statement locked, cascades' tables included), but no rows event
        // refers to those maps' table ids, and no event holds a child row's value.
        let childMaps = events.filter { $0.typeCode == EventType.tableMap && ($0.contains(cascaded) || $0.contains(nulled)) }
        let childTableIDs = Set(childMaps.map(Self.tableID))
        let rowsEvents = events.filter { Self.rowsEvents.contains($0.typeCode) }
        #expect(!rowsEvents.isEmpty)
        #expect(rowsEvents.allSatisfy { !childTableIDs.contains(Self.tableID($0)) }, "a rows event of a child table")
        #expect(!events.contains { $0.typeCode != EventType.tableMap && ($0.contains(cascaded) || $0.contains(nulled)) })
        for marker in childMarkers {
            #expect(!events.contains { $0.contains(marker) }, "a child row's value is in the binlog")
        }
    }
}
