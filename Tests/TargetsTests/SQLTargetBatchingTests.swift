import Directory
import SQLClients
import Testing

@testable import Targets

/// How runs of one kind of operation become multi-row statements.
@Suite struct SQLTargetBatchingTests {
    @Test func longRunsAreSplitIntoStatementsOfAtMostAThousandRows() throws {
        let layout = try PortalLayout.make(suffix: PortalLayout.suffix())
        let database = try TargetUnderTest.sqlite(layout)
        let target = try database.createTablesAndOpen()
        let ids = (0..<2500).map { "user-\($0)" }
        let creates = ids.map { id in
            ResourceOp.create(.user, Portal.user(id, login: id, given: "G", family: "F", mail: "\(id)@example.com"))
        }
        let created = try target.apply(creates)
        #expect(created.statements == 3)
        let deactivated = try target.apply(ids.map { .deactivate(userID: $0) })
        #expect(deactivated.statements == 3)
        let deleted = try target.apply(ids.dropFirst(2).map { .delete(.user, id: $0) })
        // Relation rows, then users, each in three chunks.
        #expect(deleted.statements == 6)
        #expect(try database.rows(layout.users.table, ["id", "enabled"]) == [["user-0", "0"], ["user-1", "0"]])
    }

    @Test func aRepeatedIdStartsANewUpsert() throws {
        let layout = try PortalLayout.make(suffix: PortalLayout.suffix())
        let database = try TargetUnderTest.sqlite(layout)
        let target = try database.createTablesAndOpen()
        let result = try target.apply([
            .create(.user, Portal.user("u1", login: "old", given: "A", family: "B", mail: nil)),
            .create(.user, Portal.user("u2", login: "two", given: "C", family: "D", mail: nil)),
            .create(.user, Portal.user("u1", login: "new", given: "A", family: "B", mail: nil)),
        ])
        #expect(result.statements == 2)
        #expect(try database.rows(layout.users.table, ["id", "login"]) == [["u1", "new"], ["u2", "two"]])
    }

    @Test func aSecondPatchOfOneRowReadsWhatTheFirstWrote() throws {
        let layout = try PortalLayout.make(suffix: PortalLayout.suffix())
        let database = try TargetUnderTest.sqlite(layout)
        let target = try database.createTablesAndOpen()
        try target.apply([
            .create(.user, Portal.user("u1", login: "a", given: "A", family: "B", mail: nil)),
            .create(.user, Portal.user("u2", login: "b", given: "C", family: "D", mail: nil)),
        ])
        let result = try target.apply([
            .patch(.user, id: "u1", [try Portal.replace("name.givenName", "Ann")]),
            .patch(.user, id: "u2", [try Portal.replace("name.givenName", "Cid")]),
            .patch(.user, id: "u1", [try Portal.replace("name.familyName", "Bee")]),
        ])
        // u1 and u2 read together and updated; the second u1 patch read and updated again.
        #expect(result.statements == 5)
        #expect(
            try database.rows(layout.users.table, ["id", "given_name", "family_name"])
                == [["u1", "Ann", "Bee"], ["u2", "Cid", "D"]])
    }
}
