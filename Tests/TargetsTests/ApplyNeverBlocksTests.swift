import Directory
import SCIM
import SQLClients
import Testing
import TestSupport

@testable import Targets

/// A batch with rows the target refuses, references it cannot satisfy yet and unique values
/// moving between rows never fails as a whole, against each real database: moving values
/// reach the source's end state, missing references are parked and apply once their row
/// arrives, refused rows are quarantined (kind, id, column, reason, no value), and every
/// other operation of the batch applies.
@Suite struct ApplyNeverBlocksTests {
    @Test func mariaDB() throws {
        let layout = try PortalLayout.make(suffix: PortalLayout.suffix())
        try Self.scenario(try TargetUnderTest.mariaDB(layout))
    }

    @Test func postgres() throws {
        let suffix = PortalLayout.suffix()
        let layout = try PortalLayout.make(suffix: suffix)
        try Self.scenario(try TargetUnderTest.postgres(layout, schema: "never_\(suffix)"))
    }

    @Test func sqlite() throws {
        let layout = try PortalLayout.make(suffix: PortalLayout.suffix())
        try Self.scenario(try TargetUnderTest.sqlite(layout))
    }

    /// SQLite's binding would cut a text at a NUL and PostgreSQL's text cannot hold one: the
    /// row is quarantined with the reason, never stored cut (an id `A` followed by NUL and
    /// more would overwrite user `A`), and the rest of the batch applies.
    @Test(arguments: ["sqlite", "postgres"]) func aTextWithANULIsQuarantinedNotCut(_ backend: String) throws {
        let suffix = PortalLayout.suffix()
        let layout = try PortalLayout.make(suffix: suffix)
        let database =
            backend == "sqlite"
            ? try TargetUnderTest.sqlite(layout) : try TargetUnderTest.postgres(layout, schema: "nul_\(suffix)")
        let target = try Self.createTables(database)
        try target.apply([.create(.user, Self.user("A", login: "a", mail: "a@example.com"))])
        let result = try target.apply(ResourceOp.ordered([
            .create(.user, Self.user("A\u{0}evil", login: "evil")),
            .create(.user, Self.user("N", login: "n\u{0}x")),
            .create(.user, Self.user("B", login: "b")),
        ]))
        let reasons = Dictionary(uniqueKeysWithValues: result.quarantined.map { ($0.subject, $0.reason) })
        #expect(reasons == [.user("A\u{0}evil"): .nulCharacter, .user("N"): .nulCharacter], "\(result.quarantined)")
        #expect(try database.rows(layout.users.table, ["id", "login"]) == [["A", "a"], ["B", "b"]])
        #expect(RefusalReason.nulCharacter.description.contains("NUL character (U+0000)"))
    }

    @Test func sqlServer() throws {
        let layout = try PortalLayout.make(suffix: PortalLayout.suffix())
        try explained { try Self.scenario(try TargetUnderTest.sqlServer(layout)) }
    }

    /// The portal tables as a client might have made them: unique logins and e-mails, a NOT
    /// NULL given name, a title of at most 20 characters, an integer employee number.
    static func createTables(_ database: TargetUnderTest) throws -> SQLTarget {
        let layout = database.layout
        let dialect = database.dialect
        let users = dialect.table(layout.users.table)
        let groups = dialect.table(try #require(layout.groups?.table))
        let memberships = dialect.table(try #require(layout.membership?.table))
        let id: String
        let text: String
        let title: String
        let flag: String
        let integer: String
        let deferrable: String
        switch dialect {
        case .mariaDB:
            id = "VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
            text = "VARCHAR(255)"
            title = "VARCHAR(20)"
            flag = "TINYINT(1)"
            integer = "BIGINT"
            deferrable = ""
        case .postgres:
            id = "varchar(64)"
            text = "text"
            title = "varchar(20)"
            flag = "boolean"
            integer = "bigint"
            deferrable = " DEFERRABLE INITIALLY IMMEDIATE"
        case .sqlServer:
            id = "nvarchar(64)"
            text = "nvarchar(255)"
            title = "nvarchar(20)"
            flag = "bit"
            integer = "bigint"
            deferrable = ""
        case .sqlite:
            id = "TEXT"
            text = "TEXT"
            title = "TEXT CHECK (length(title) <= 20)"
            flag = "INTEGER"
            integer = "INTEGER"
            deferrable = ""
        }
        for statement in [
            "CREATE TABLE \(groups) (id \(id) NOT NULL PRIMARY KEY, title \(text), parent \(id), "
                + "FOREIGN KEY (parent) REFERENCES \(groups) (id)\(deferrable))",
            "CREATE TABLE \(users) (id \(id) NOT NULL PRIMARY KEY, login \(id) NOT NULL UNIQUE, "
                + "given_name \(text) NOT NULL, family_name \(text), mail \(id) UNIQUE, title \(title), "
                + "enabled \(flag), employee_no \(integer))",
            "CREATE TABLE \(memberships) (user_id \(id) NOT NULL, group_id \(id) NOT NULL, "
                + "PRIMARY KEY (user_id, group_id), FOREIGN KEY (user_id) REFERENCES \(users) (id)\(deferrable), "
                + "FOREIGN KEY (group_id) REFERENCES \(groups) (id)\(deferrable))",
        ] {
            try database.connection.run(statement)
        }
        return try SQLTarget(connection: database.connection, dialect: dialect, layout: layout)
    }

    static func user(_ id: String, login: String, mail: String? = nil, given: String = "Given") -> SCIMResource {
        Portal.user(id, login: login, given: given, family: "Family", mail: mail)
    }

    static func scenario(_ database: TargetUnderTest) throws {
        let target = try createTables(database)
        let layout = database.layout
        let usersTable = layout.users.table
        let groupsTable = try #require(layout.groups?.table)
        let relationTable = try #require(layout.membership?.table)
        func logins() throws -> [[String]] { try database.rows(usersTable, ["id", "login", "mail"]) }
        func groups() throws -> [[String]] { try database.rows(groupsTable, ["id", "parent"]) }
        func members() throws -> [[String]] { try database.rows(relationTable, ["group_id", "user_id"]) }

        // Batch 1 goes at once, as every batch that nothing refuses.
        let setup = try target.apply(ResourceOp.ordered([
            .create(.group, Portal.group("g1", "Engineering")),
            .create(.user, user("A", login: "a", mail: "a@example.com")),
            .create(.user, user("B", login: "b", mail: "b@example.com")),
            .create(.user, user("C", login: "c", mail: "c@example.com")),
        ]))
        #expect(!setup.resolvedOpByOp)
        #expect(setup.parked.isEmpty && setup.quarantined.isEmpty)

        // Batch 2, one source transaction: A and B swap login and e-mail through a temporary
        // value; a new user D takes C's login, which C gives up after it in the stream; a new
        // group g2 and its new child g3; D joins g3.
        let swap = ResourceOp.ordered(ResourceOp.coalesced([
            .patch(.user, id: "A", [try Portal.replace("userName", "tmp")]),
            .patch(.user, id: "B", [try Portal.replace("userName", "a"),
                try Portal.replace(#"emails[type eq "work"].value"#, "a@example.com")]),
            .patch(.user, id: "A", [try Portal.replace("userName", "b"),
                try Portal.replace(#"emails[type eq "work"].value"#, "b@example.com")]),
            .create(.user, user("D", login: "c", mail: "d@example.com")),
            .patch(.user, id: "C", [try Portal.replace("userName", "c2")]),
            .create(.group, Portal.group("g2", "Platform")),
            .create(.group, Portal.group("g3", "Tooling")),
            .moveParent(groupID: "g3", parentID: "g2"),
            .addMember(groupID: "g3", userID: "D"),
        ]))
        let swapped = try target.apply(swap)
        #expect(swapped.resolvedOpByOp, "the batch failed at once and was resolved op by op")
        #expect(swapped.parked.isEmpty)
        #expect(swapped.quarantined.isEmpty, "\(swapped.quarantined)")
        #expect(try logins() == [
            ["A", "b", "b@example.com"], ["B", "a", "a@example.com"], ["C", "c2", "c@example.com"],
            ["D", "c", "d@example.com"],
        ])
        #expect(try groups() == [["g1", "NULL"], ["g2", "NULL"], ["g3", "g2"]])
        #expect(try members() == [["g3", "D"]])

        // Batch 3: a membership in a group and a parent the target does not have yet are
        // parked; the rest applies.
        let waiting = ResourceOp.ordered([
            .addMember(groupID: "g9", userID: "A"),
            .moveParent(groupID: "g1", parentID: "g8"),
            .patch(.user, id: "B", [try Portal.replace("title", "Lead")]),
        ])
        let parkedResult = try target.apply(waiting)
        #expect(parkedResult.quarantined.isEmpty)
        let parked = parkedResult.parked
        #expect(Set(parked.map(\.waitingFor)) == [ResourceRef(.group, "g9"), ResourceRef(.group, "g8")])
        #expect(Set(parked.map(\.key)) == [
            target.parkingKey(.addMember(groupID: "g9", userID: "A")),
            target.parkingKey(.moveParent(groupID: "g1", parentID: "g8")),
        ])
        #expect(try database.rows(usersTable, ["id", "title"]).contains(["B", "Lead"]))
        #expect(try members() == [["g3", "D"]])
        // A later removal of the same membership makes the parked addition obsolete.
        #expect(
            target.obsoleteParkedKeys(parked, after: [.removeMember(groupID: "g9", userID: "A")])
                == [target.parkingKey(.addMember(groupID: "g9", userID: "A"))])

        // Batch 4 creates the missing groups: the parked operations apply when submitted again.
        let arrivals: [ResourceOp] = [
            .create(.group, Portal.group("g8", "Root")), .create(.group, Portal.group("g9", "Ops")),
        ]
        try target.apply(arrivals)
        let retry = SQLTarget.parkedOpsToRetry(parked, after: arrivals)
        #expect(retry.count == 2)
        let retried = try target.apply(ResourceOp.ordered(retry.map(\.op)))
        #expect(retried.parked.isEmpty && retried.quarantined.isEmpty)
        #expect(try members() == [["g3", "D"], ["g9", "A"]])
        #expect(try groups().contains(["g1", "g8"]))

        // Batch 5: refused rows are quarantined, one each; the rest applies. E's membership
        // waits for E.
        var noGivenName = user("F", login: "f")
        noGivenName.attributes["name"] = .object(["familyName": "Family"])
        var badNumber = user("G", login: "g")
        badNumber.attributes[SchemaURN.enterpriseUser] = .object(["employeeNumber": "E-secret-7"])
        var longTitle = user("E", login: "e")
        longTitle.attributes["title"] = "Principal Distinguished Engineer"
        let refused = try target.apply(ResourceOp.ordered([
            .create(.user, longTitle),
            .create(.user, noGivenName),
            .create(.user, badNumber),
            .patch(.user, id: "A", [try Portal.replace("userName", "c")]),
            // A new user with B's login: on MariaDB the upsert's clash on the login key must
            // neither overwrite B nor pass unnoticed.
            .create(.user, user("I", login: "a", mail: "i@example.com")),
            .create(.user, user("H", login: "h")),
            .addMember(groupID: "g1", userID: "H"),
            .addMember(groupID: "g1", userID: "E"),
        ]))
        let bySubject = Dictionary(uniqueKeysWithValues: refused.quarantined.map { ($0.subject, $0) })
        #expect(bySubject.count == 5, "\(refused.quarantined)")
        #expect(bySubject[.user("I")]?.reason == .uniqueConflict)
        #expect(bySubject[.user("I")]?.operation == .createUser)
        switch database.dialect {
        case .sqlite: #expect(bySubject[.user("E")]?.reason == .check)
        case .mariaDB, .postgres, .sqlServer: #expect(bySubject[.user("E")]?.reason == .tooLong)
        }
        switch database.dialect {
        case .mariaDB, .sqlServer: #expect(bySubject[.user("E")]?.column == "title")
        case .postgres, .sqlite: break
        }
        #expect(bySubject[.user("F")]?.reason == .missingValue)
        #expect(bySubject[.user("F")]?.column == "given_name")
        #expect(bySubject[.user("G")]?.reason == .wrongType)
        #expect(bySubject[.user("G")]?.column == "employee_no")
        #expect(bySubject[.user("A")]?.reason == .uniqueConflict)
        #expect(bySubject[.user("A")]?.operation == .patchUser)
        #expect(refused.parked.map(\.waitingFor) == [ResourceRef(.user, "E")])
        for entry in refused.quarantined {
            for value in ["Principal", "E-secret-7", "\"c\""] {
                #expect(!entry.description.contains(value), "a quarantine entry names no value")
            }
        }
        #expect(try logins() == [
            ["A", "b", "b@example.com"], ["B", "a", "a@example.com"], ["C", "c2", "c@example.com"],
            ["D", "c", "d@example.com"], ["H", "h", "NULL"],
        ])
        #expect(try members() == [["g1", "H"], ["g3", "D"], ["g9", "A"]])

        // Batch 6: what a later operation of the same batch makes obsolete is not reported as
        // parked: a removal of the same membership, a later move of the same group, a delete
        // of the user.
        let undone = try target.apply([
            .addMember(groupID: "g7", userID: "A"), .removeMember(groupID: "g7", userID: "A"),
            .moveParent(groupID: "g3", parentID: "g6"), .moveParent(groupID: "g3", parentID: nil),
            .addMember(groupID: "g7", userID: "H"), .removeMember(groupID: "g1", userID: "H"), .delete(.user, id: "H"),
        ])
        // (PostgreSQL and SQLite check their deferred keys at COMMIT, when nothing dangles any
        // more: the batch goes at once there; MariaDB checks each row and goes op by op.)
        if case .mariaDB = database.dialect { #expect(undone.resolvedOpByOp) }
        #expect(undone.parked.isEmpty, "\(undone.parked)")
        #expect(undone.quarantined.isEmpty)
        #expect(try groups().contains(["g3", "NULL"]))
        #expect(try members() == [["g3", "D"], ["g9", "A"]])
    }
}
