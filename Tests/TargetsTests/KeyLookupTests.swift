import Directory
import SQLClients
import TestSupport
import Testing

@testable import Targets

/// PostgreSQL's statements that name many keys at once (which of a batch's users the target
/// holds, a batch's deletes and deactivations) look each key up in the key's index, however
/// many keys come: their time follows the batch, not the table.
@Suite struct PostgresKeyLookupTests {
    /// 2,000 keys against 100,000 rows: where `id = ANY($1)` planned with its values reads the
    /// whole table.
    static let tableRows = 100_000
    static let keys = 2_000

    @Test func manyKeysAreLookedUpInTheIndexNotByScanningTheTable() throws {
        let connection = try TestServers.postgres()
        let schema = TestServers.uniqueName("keys")
        try connection.execute("CREATE SCHEMA \"\(schema)\"")
        defer { try? connection.execute("DROP SCHEMA \"\(schema)\" CASCADE") }
        try connection.execute("CREATE TABLE \"\(schema)\".u (id varchar(64) PRIMARY KEY, enabled boolean NOT NULL)")
        try connection.execute(
            "INSERT INTO \"\(schema)\".u SELECT 'u' || g, true FROM generate_series(1, \(Self.tableRows)) AS g")
        try connection.execute("ANALYZE \"\(schema)\".u")
        // Half of the keys are in the table, half are new (a batch of creates).
        let first = Self.tableRows - Self.keys / 2 + 1
        let ids: [SQLValue] = (first..<first + Self.keys).map { .text("u\($0)") }
        let dialect = SQLDialect.postgres(schema: schema)

        let select = dialect.select(["id"], from: "u", where: "id", in: ids, keyType: "character varying")
        let found = try connection.query(select.sql, select.parameters).map { $0.values[0] }
        #expect(Set(found) == Set((first...Self.tableRows).map { SQLValue.text("u\($0)") }))

        let statements = [
            ("select", select),
            ("delete", dialect.delete(from: "u", where: "id", in: ids, keyType: "character varying")),
            (
                "update",
                dialect.update("u", set: [("enabled", .bool(false))], where: "id", in: ids, keyType: "character varying")
            ),
        ]
        for (name, statement) in statements {
            let plan = try connection.query("EXPLAIN " + statement.sql, statement.parameters)
                .compactMap { row -> String? in if case .text(let line) = row.values.first { line } else { nil } }
            #expect(!plan.isEmpty)
            #expect(
                !plan.contains { $0.contains("Seq Scan") } && plan.contains { $0.contains("u_pkey") },
                "the \(name) looks its keys up in the primary key: \(plan.prefix(6).joined(separator: " | "))")
        }
    }
}

/// MariaDB's lookup of which users the target holds, asked with one key to a thousand: the
/// answer is right at every count, and the connection keeps one prepared statement per power
/// of two, not one per count (each new text costs a PREPARE, and pushes out statements the
/// batches reuse).
@Suite struct MariaDBKeyLookupTests {
    @Test func lookupsOfAnyCountShareAFewPreparedStatements() throws {
        let database = try TargetUnderTest.mariaDB(try PortalLayout.make(suffix: PortalLayout.suffix()))
        let target = try database.createTablesAndOpen()
        let connection = try #require(database.connection as? MariaDBConnection)
        try target.apply((1...40).map { .create(.user, Portal.user("u\($0)", login: "l\($0)", given: "G", family: "F", mail: nil)) })
        let before = connection.cachedStatementCount
        for count in 1...70 {
            // Every other id is in the table (u1 ... u40), the rest are new.
            let ids = (0..<count).map { "u\($0 * 2 + 1)" }
            let held = Set(ids.filter { Int($0.dropFirst())! <= 40 })
            #expect(try target.existingIDs(ids, of: .users) == held, "\(count) keys")
        }
        // 1, 2, 4, ..., 128 keys: eight texts for seventy counts.
        #expect(connection.cachedStatementCount - before <= 8, "\(connection.cachedStatementCount - before) statements")
        #expect(SQLTarget.paddedToPowerOfTwo([.text("a"), .text("b"), .text("c")]) == [.text("a"), .text("b"), .text("c"), .text("c")])
    }
}
