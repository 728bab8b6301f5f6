import Directory
import SCIM
import Testing

@testable import Targets

/// The portal scenario against each real database: creates, then patches, a deactivation,
/// a parent move, a member removal and deletes; every batch replayed; a failing batch rolled
/// back.
@Suite struct SQLTargetApplyTests {
    @Test func mariaDB() throws {
        let layout = try PortalLayout.make(suffix: PortalLayout.suffix())
        try Self.scenario(try TargetUnderTest.mariaDB(layout))
    }

    @Test func postgres() throws {
        let suffix = PortalLayout.suffix()
        let layout = try PortalLayout.make(suffix: suffix)
        try Self.scenario(try TargetUnderTest.postgres(layout, schema: "targets_\(suffix)"))
    }

    @Test func sqlite() throws {
        let layout = try PortalLayout.make(suffix: PortalLayout.suffix())
        try Self.scenario(try TargetUnderTest.sqlite(layout))
    }

    static let userColumns = ["id", "login", "given_name", "family_name", "mail", "title", "employee_no", "enabled"]

    static func scenario(_ database: TargetUnderTest) throws {
        let layout = database.layout
        let target = try database.createTablesAndOpen()
        let usersTable = layout.users.table
        let groupsTable = try #require(layout.groups?.table)
        let relationTable = try #require(layout.membership?.table)
        func snapshot() throws -> [[[String]]] {
            [
                try database.rows(usersTable, userColumns),
                try database.rows(groupsTable, ["id", "title", "parent"]),
                try database.rows(relationTable, ["user_id", "group_id"]),
            ]
        }

        // Batch 1: groups (parents before children), users, memberships.
        let first = ResourceOp.ordered([
            .create(.group, Portal.group("g1", "Engineering")),
            .create(.group, Portal.group("g2", "Platform")),
            .moveParent(groupID: "g2", parentID: "g1"),
            .create(.group, Portal.group("g3", "Tooling")),
            .moveParent(groupID: "g3", parentID: "g1"),
            .create(.user, Portal.user("u1", login: "alice", given: "Alice", family: "Liddell",
                mail: "alice@example.com", title: "Engineer", employeeNumber: "E1")),
            .addMember(groupID: "g2", userID: "u1"),
            .create(.user, Portal.user("u2", login: "bob", given: "Bob", family: "Builder", mail: "bob@example.com")),
            .addMember(groupID: "g2", userID: "u2"),
            .create(.user, Portal.user("u3", login: "carol", given: "Carol", family: "Danvers", mail: nil)),
            .addMember(groupID: "g3", userID: "u3"),
            .addMember(groupID: "g1", userID: "u3"),
        ])
        let afterFirst: [[[String]]] = [
            [
                ["u1", "alice", "Alice", "Liddell", "alice@example.com", "Engineer", "E1", "1"],
                ["u2", "bob", "Bob", "Builder", "bob@example.com", "NULL", "NULL", "1"],
                ["u3", "carol", "Carol", "Danvers", "NULL", "NULL", "NULL", "1"],
            ],
            [["g1", "Engineering", "NULL"], ["g2", "Platform", "g1"], ["g3", "Tooling", "g1"]],
            [["u1", "g2"], ["u2", "g2"], ["u3", "g1"], ["u3", "g3"]],
        ]
        let firstResult = try target.apply(first)
        #expect(try snapshot() == afterFirst)
        // One upsert for the three groups, one update for the two parent moves, one upsert
        // for the three users, one insert for the four memberships.
        #expect(firstResult.statements == 4)
        #expect(firstResult.applied[.createUser] == 3)
        #expect(firstResult.applied[.addMember] == 4)
        try target.apply(first)
        #expect(try snapshot() == afterFirst, "replaying batch 1 changes nothing")

        // Batch 2: patches, a deactivation, a parent move, a member removal, deletes, and a
        // patch of a user the target never had.
        let second = ResourceOp.ordered([
            .patch(.user, id: "u1", [try Portal.replace("name.givenName", "Ålicia 李")]),
            .patch(.user, id: "u2", [try Portal.replace(#"emails[type eq "work"].value"#, "bob@builder.example")]),
            .deactivate(userID: "u2"),
            .patch(.group, id: "g1", [try Portal.replace("displayName", "R&D")]),
            .moveParent(groupID: "g2", parentID: nil),
            .removeMember(groupID: "g2", userID: "u2"),
            .removeMember(groupID: "g3", userID: "u3"),
            .removeMember(groupID: "g1", userID: "u3"),
            .delete(.user, id: "u3"),
            .delete(.group, id: "g3"),
            .patch(.user, id: "u9", [try Portal.replace("title", "Ghost")]),
        ])
        let afterSecond: [[[String]]] = [
            [
                ["u1", "alice", "Ålicia 李", "Liddell", "alice@example.com", "Engineer", "E1", "1"],
                ["u2", "bob", "Bob", "Builder", "bob@builder.example", "NULL", "NULL", "0"],
            ],
            [["g1", "R&D", "NULL"], ["g2", "Platform", "NULL"]],
            [["u1", "g2"]],
        ]
        let secondResult = try target.apply(second)
        #expect(try snapshot() == afterSecond)
        #expect(secondResult.skippedPatches == 1)
        // u9's patch is quarantined: the target has no row for it.
        #expect(secondResult.applied[.patchUser] == 2)
        #expect(secondResult.quarantined.map(\.subject) == [.user("u9")])
        #expect(secondResult.quarantined.first?.reason == .missingRow)
        // g1: read + update; the parent move; u1 and u2: one read, two updates; the
        // deactivation; u9: a read; the three removals in one delete; u3's relation rows and
        // the user; the group's relation rows, its children's parent column, the group.
        #expect(secondResult.statements == 14)
        let replay = try target.apply(second)
        #expect(try snapshot() == afterSecond, "replaying batch 2 changes nothing")
        #expect(replay.skippedPatches == 1)
        // The patches find nothing to change: reads only.
        #expect(replay.statements == 11)

        // Batch 3: a membership in a group the target does not have is parked; the rest of
        // the batch applies.
        let waiting = ResourceOp.ordered([
            .create(.user, Portal.user("u4", login: "dave", given: "Dave", family: "Leak", mail: "dave@leak.example")),
            .patch(.user, id: "u1", [try Portal.replace("name.familyName", "Changed")]),
            .addMember(groupID: "zz-missing-group", userID: "u4"),
        ])
        let third = try target.apply(waiting)
        #expect(third.resolvedOpByOp)
        #expect(third.parked.map(\.waitingFor) == [ResourceRef(.group, "zz-missing-group")])
        #expect(third.quarantined.isEmpty)
        #expect(try database.rows(usersTable, ["id", "family_name"]) == [["u1", "Changed"], ["u2", "Builder"], ["u4", "Leak"]])
        #expect(try database.rows(relationTable, ["user_id", "group_id"]) == [["u1", "g2"]])
        for value in ["dave", "Leak", "Changed"] {
            #expect(!third.parked[0].description.contains(value), "the description names no values")
        }
        // Once the group arrives, the parked membership applies.
        let arrival: [ResourceOp] = [.create(.group, Portal.group("zz-missing-group", "Late"))]
        try target.apply(arrival)
        let retry = SQLTarget.parkedOpsToRetry(third.parked, after: arrival)
        let retried = try target.apply(retry.map(\.op))
        #expect(retried.parked.isEmpty && !retried.resolvedOpByOp)
        #expect(try database.rows(relationTable, ["user_id", "group_id"]) == [["u1", "g2"], ["u4", "zz-missing-group"]])
    }
}
