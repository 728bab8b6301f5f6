import Directory
import SQLClients
import Testing

@testable import Targets

/// Errors raised while applying: rolled back, classified, free of values.
@Suite struct TargetErrorTests {
    /// A SQLite target whose connection loses its server at the `failAt`th statement.
    final class FlakyConnection: TargetConnection {
        let inner: SQLiteDatabase
        var failAt: Int?
        var queries = 0

        init(_ inner: SQLiteDatabase) { self.inner = inner }

        func query(_ sql: String, _ parameters: [SQLValue]) throws -> [Row] {
            queries += 1
            if queries == failAt {
                throw MariaDBError(
                    kind: .lostConnection, code: 2013, sqlState: "HY000", message: "Lost connection", operation: .execute)
            }
            return try inner.query(sql, parameters)
        }
        func begin() throws { try inner.begin() }
        func commit() throws { try inner.commit() }
        func rollback() throws { try inner.rollback() }
        func run(_ sql: String) throws { try inner.run(sql) }
        func tableColumns(_ table: String, schema: String?) throws -> [ColumnDescription]? {
            try inner.tableColumns(table, schema: schema)
        }
    }

    @Test func aLostConnectionIsTransientAndRollsBack() throws {
        let layout = try PortalLayout.make(suffix: PortalLayout.suffix())
        let database = try TargetUnderTest.sqlite(layout)
        _ = try database.createTablesAndOpen()
        let flaky = FlakyConnection(try #require(database.connection as? SQLiteDatabase))
        let target = try SQLTarget(connection: flaky, dialect: .sqlite, layout: layout)
        flaky.failAt = 2
        let error = try #require(throws: TargetError.self) {
            try target.apply([
                .create(.user, Portal.user("u1", login: "secret-login", given: "A", family: "B", mail: nil)),
                .deactivate(userID: "u1"),
            ])
        }
        #expect(error.kind == .statement(.deactivate, table: layout.users.table))
        #expect(error.isTransient)
        #expect(!error.description.contains("secret-login"))
        #expect(try database.rows(layout.users.table, ["id"]) == [])
    }

    @Test func aMappingErrorNamesTheOperationAndColumn() throws {
        let layout = try PortalLayout.make(suffix: PortalLayout.suffix())
        let database = try TargetUnderTest.sqlite(layout)
        let target = try database.createTablesAndOpen()
        var noID = Portal.user("u1", login: "x", given: "A", family: "B", mail: nil)
        noID.attributes["id"] = nil
        // The resource is quarantined with what the mapping said; the rest of the batch applies.
        let result = try target.apply([
            .create(.user, noID), .create(.user, Portal.user("u2", login: "y", given: "C", family: "D", mail: nil)),
        ])
        let refusal = Refusal(.mapping(RowMappingError.missingID(table: layout.users.table, column: "id").description))
        #expect(result.quarantined.map(\.reason) == [refusal.reason])
        #expect(result.quarantined.map(\.operation) == [.createUser])
        #expect(try database.rows(layout.users.table, ["id"]) == [["u2"]])
    }

    /// A server state (read-only, a full disk, a lock wait) fails the batch, to be tried
    /// again; a trigger's refusal is the row's, with the trigger's words.
    @Test func serverStatesAreRetriedAndTriggerRefusalsQuarantined() {
        func mariaDB(_ code: UInt32, _ message: String = "m") -> Refusal? {
            Refusal(MariaDBError(kind: .other, code: code, sqlState: "HY000", message: message, operation: .execute))
        }
        for code: UInt32 in [1290, 1021, 1114, 1205, 1213, 1927] { #expect(mariaDB(code) == nil, "MariaDB \(code)") }
        #expect(mariaDB(1644, "no\nmore")?.reason == .raised("no\\nmore"))
        #expect(mariaDB(1406, "Data too long for column 'title' at row 1") == Refusal(.tooLong, column: "title"))
        #expect(mariaDB(4242)?.reason == .other(code: "MariaDB 4242"), "an unknown error about the data is the row's")
        func postgres(_ state: String, _ message: String = "m") -> Refusal? {
            Refusal(PostgresError(kind: .other, sqlState: state, message: message, operation: .execute))
        }
        #expect(postgres("P0001", "frozen row")?.reason == .raised("frozen row"))
        #expect(postgres("54000")?.reason == .tooLargeForIndex)
        #expect(postgres("25006") == nil, "read_only_sql_transaction is retried")
        // Too many connections: the server is there and busy, tried again (a SCIM server
        // answers 503, not 500).
        let busy = MariaDBError(kind: .other, code: 1040, sqlState: "08004", message: "Too many connections", operation: .connect)
        #expect(isTransientDatabaseError(busy))
    }
}
