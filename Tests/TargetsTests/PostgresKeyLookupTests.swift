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
