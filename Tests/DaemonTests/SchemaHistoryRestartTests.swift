import Foundation
import MySQLBinlog
import MySQLSource
import OffsetStore
import SQLClients
import Testing
import TestSupport

/// With `binlog_row_metadata=MINIMAL` the binlog does not name columns: rows written before an
/// ALTER TABLE decode correctly after a restart only through the persisted schema history.
@Suite struct SchemaHistoryRestartTests {
    @Test func aRestartInTheMiddleOfAHistoryDecodesWithTheShapesOfTheirTime() async throws {
        let server = try PrivateMariaDB(rowMetadata: "MINIMAL")
        let db = try MariaDBConnection(host: "127.0.0.1", port: server.port, user: server.user, password: server.password)
        try db.execute("CREATE DATABASE hr")
        try db.execute("CREATE TABLE hr.people (id INT PRIMARY KEY, name VARCHAR(20))")
        let start = try db.currentBinlogPosition().start
        try db.execute("INSERT INTO hr.people VALUES (1, 'before')")

        let store = try OffsetStore(path: NSTemporaryDirectory() + "scimsync-history-\(UUID().uuidString).db")
        defer { try? FileManager.default.removeItem(atPath: store.path) }

        // First run: reads the row while the table still has two columns, then persists.
        let first = reader(server, from: start, history: SchemaHistory())
        #expect(try await changes(first) == [#"insert {"id":1,"name":"before"}"#])
        try store.save(first.history, pipeline: "p")

        try db.execute("ALTER TABLE hr.people ADD COLUMN email VARCHAR(40)")
        try db.execute("INSERT INTO hr.people VALUES (2, 'after', 'a@example.com')")

        // Restart from the same start with the stored history: both rows, each with its shape.
        let restarted = reader(server, from: start, history: try store.schemaHistory(pipeline: "p"))
        #expect(try await changes(restarted) == [
            #"insert {"id":1,"name":"before"}"#, #"insert {"id":2,"name":"after","email":"a@example.com"}"#,
        ])

        // Without the history the first row cannot be decoded: the catalog has moved on.
        let amnesiac = reader(server, from: start, history: SchemaHistory())
        await #expect {
            _ = try await changes(amnesiac)
        } throws: { error in
            "\(error)".hasPrefix("cannot decode rows of hr.people at ")
        }
    }

    func reader(_ server: PrivateMariaDB, from start: BinlogStart, history: SchemaHistory) -> BinlogChangeReader {
        let (port, user, password) = (server.port, server.user, server.password)
        return BinlogChangeReader(
            configuration: .init(
                host: "127.0.0.1", port: port, user: user, password: password, serverID: UInt32.random(in: 100...10_000),
                filter: TableFilter(tables: ["hr.people"]), stopAtEnd: true),
            start: start,
            catalog: SourceCatalog { try MariaDBConnection(host: "127.0.0.1", port: port, user: user, password: password) },
            history: history)
    }

    /// `op {after}` for every row change until the end of the binlog.
    func changes(_ reader: BinlogChangeReader) async throws -> [String] {
        var result: [String] = []
        while let output = try await reader.next() {
            guard case .transaction(let transaction) = output else { continue }
            for change in transaction.changes {
                let after = zip(change.columns, change.after ?? []).map { name, value in
                    "\"\(name)\":\(RowChangeJSON.json(value, column: nil) ?? "?")"
                }
                result.append("\(change.kind.rawValue) {\(after.joined(separator: ","))}")
            }
        }
        await reader.stop()
        return result
    }
}
