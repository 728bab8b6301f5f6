import MySQLBinlog
import Testing

@Suite struct SchemaHistoryTests {
    func at(_ file: String, _ offset: UInt64) -> BinlogPosition { BinlogPosition(file: file, offset: offset) }

    @Test func positionsOrderByFileNumberThenOffset() {
        #expect(at("mysql-bin.000009", 900) < at("mysql-bin.000010", 4))
        #expect(at("mysql-bin.999999", 4) < at("mysql-bin.1000000", 4))
        #expect(at("b.000001", 4) < at("b.000001", 5))
        #expect(!(at("b.000001", 5) < at("b.000001", 5)))
    }

    @Test func rowsDecodeWithTheShapeOfTheirTime() {
        let before = [ColumnSchema(name: "id"), ColumnSchema(name: "name")]
        let after = [ColumnSchema(name: "id"), ColumnSchema(name: "name"), ColumnSchema(name: "email")]
        var history = SchemaHistory()
        history.record(.init(position: at("b.000001", 100), schema: "hr", table: "users", columns: before))
        history.tableChanged(schema: "hr", table: "users", at: at("b.000002", 500))
        history.record(.init(position: at("b.000002", 520), schema: "hr", table: "users", columns: after))

        #expect(history.columns(schema: "hr", table: "users", at: at("b.000001", 50)) == nil)
        #expect(history.columns(schema: "hr", table: "users", at: at("b.000001", 100)) == before)
        #expect(history.columns(schema: "hr", table: "users", at: at("b.000002", 499)) == before)
        // Between the DDL and the next lookup the table is unknown: look it up again.
        #expect(history.columns(schema: "hr", table: "users", at: at("b.000002", 510)) == nil)
        #expect(history.columns(schema: "hr", table: "users", at: at("b.000003", 4)) == after)
        #expect(history.columns(schema: "hr", table: "groups", at: at("b.000003", 4)) == nil)
    }

    @Test func persistingAndRestoringKeepsEveryEntry() {
        var history = SchemaHistory()
        history.record(.init(position: at("b.000002", 9), schema: "hr", table: "a", columns: [ColumnSchema(name: "x")]))
        history.record(.init(position: at("b.000001", 9), schema: "hr", table: "a", columns: [ColumnSchema(name: "w")]))
        history.tableChanged(schema: "hr", table: "b", at: at("b.000001", 7))
        // Recording at the same position again replaces the entry.
        history.record(.init(position: at("b.000002", 9), schema: "hr", table: "a", columns: [ColumnSchema(name: "y")]))
        #expect(history.allEntries.map(\.position) == [at("b.000001", 9), at("b.000002", 9), at("b.000001", 7)])
        #expect(SchemaHistory(history.allEntries) == history)
        #expect(history.columns(schema: "hr", table: "a", at: at("b.000002", 10)) == [ColumnSchema(name: "y")])
    }
}
