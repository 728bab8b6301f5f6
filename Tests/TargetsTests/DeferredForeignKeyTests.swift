import Directory
import SCIM
import SQLClients
import Testing

@testable import Targets

/// SQLite cannot make a DEFERRABLE INITIALLY DEFERRED key immediate, so a row that fails one
/// passes every statement and fails only the COMMIT. A batch with such an operation (here a
/// user deleted while a client's own table still references it) must not fail for ever: the
/// operation is found, quarantined with its reason, and the rest of the batch applies.
@Suite struct DeferredForeignKeyTests {
    @Test func anOperationFailingADeferredKeyIsQuarantinedAndTheRestApplies() throws {
        let database = try TargetUnderTest.sqlite(try PortalLayout.make(suffix: PortalLayout.suffix()))
        let target = try ApplyNeverBlocksTests.createTables(database)
        let users = database.dialect.table(database.layout.users.table)
        try database.connection.run(
            "CREATE TABLE audit (user_id TEXT NOT NULL REFERENCES \(users) (id) DEFERRABLE INITIALLY DEFERRED)")
        try target.apply([
            .create(.user, ApplyNeverBlocksTests.user("A", login: "a")),
            .create(.user, ApplyNeverBlocksTests.user("B", login: "b")),
        ])
        try database.connection.run("INSERT INTO audit VALUES ('A')")

        let result = try target.apply([
            .delete(.user, id: "A"),
            .create(.user, ApplyNeverBlocksTests.user("C", login: "c")),
            .delete(.user, id: "B"),
        ])
        #expect(try database.rows(database.layout.users.table, ["id"]) == [["A"], ["C"]])
        #expect(result.quarantined.map(\.subject) == [.user("A")], "\(result.quarantined)")
        #expect(result.quarantined.first?.operation == .deleteUser)
        #expect(result.quarantined.first?.reason == .foreignKey)
        #expect(result.parked.isEmpty)
    }
}
