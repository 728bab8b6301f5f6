import Foundation
import MySQLBinlog
import OffsetStore
import Testing

@Suite struct SchemaHistoryStoreTests {
    func temporaryPath() -> String {
        NSTemporaryDirectory() + "scimsync-offsets-\(UUID().uuidString).db"
    }

    @Test func historySurvivesReopening() throws {
        let path = temporaryPath()
        defer { removeStore(at: path) }
        var history = SchemaHistory()
        history.record(.init(
            position: BinlogPosition(file: "binlog.000001", offset: 400), schema: "hr", table: "users",
            columns: [
                ColumnSchema(name: "id", isUnsigned: true),
                ColumnSchema(name: "size", collationID: 45, members: ["s", "it's"]),
                ColumnSchema(name: "doc", collationID: 46, holdsJSONText: true),
            ]))
        history.tableChanged(schema: "hr", table: "users", at: BinlogPosition(file: "binlog.000002", offset: 90))
        history.record(.init(position: BinlogPosition(file: "binlog.000001", offset: 7), schema: "hr", table: "groups", columns: []))

        try OffsetStore(path: path).save(history, pipeline: "hr-to-portal")
        let reopened = try OffsetStore(path: path)
        #expect(try reopened.schemaHistory(pipeline: "hr-to-portal") == history)
        #expect(try reopened.schemaHistory(pipeline: "other").allEntries.isEmpty)

        // Saving again replaces entries at the same position instead of duplicating them.
        history.record(.init(position: BinlogPosition(file: "binlog.000001", offset: 400), schema: "hr", table: "users", columns: [ColumnSchema(name: "id")]))
        try reopened.save(history, pipeline: "hr-to-portal")
        #expect(try OffsetStore(path: path).schemaHistory(pipeline: "hr-to-portal") == history)
    }

    @Test func anUnwritablePathIsNamed() {
        #expect {
            try OffsetStore(path: "/proc/scimsync/offsets.db")
        } throws: { error in
            "\(error)".hasPrefix("cannot open the offset store /proc/scimsync/offsets.db: ")
        }
    }
}
