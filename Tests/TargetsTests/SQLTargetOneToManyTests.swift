import Directory
import SCIM
import Testing

@testable import Targets

/// A `users.group` layout (one group column on the users table, no relation table) on SQLite.
@Suite struct SQLTargetOneToManyTests {
    @Test func membershipLivesInTheUsersGroupColumn() throws {
        let layout = try PortalLayout.make(suffix: PortalLayout.suffix(), oneToMany: true)
        let database = try TargetUnderTest.sqlite(layout)
        let target = try database.createTablesAndOpen()
        let users = layout.users.table
        func groupsOfUsers() throws -> [[String]] { try database.rows(users, ["id", "group_id"]) }

        let first = ResourceOp.ordered([
            .create(.group, Portal.group("g1", "Sales")),
            .create(.group, Portal.group("g2", "Support")),
            .create(.user, Portal.user("u1", login: "erin", given: "Erin", family: "Hale", mail: nil)),
            .addMember(groupID: "g1", userID: "u1"),
            .create(.user, Portal.user("u2", login: "frank", given: "Frank", family: "Ocean", mail: nil)),
            .addMember(groupID: "g1", userID: "u2"),
        ])
        try target.apply(first)
        #expect(try groupsOfUsers() == [["u1", "g1"], ["u2", "g1"]])
        try target.apply(first)
        #expect(try groupsOfUsers() == [["u1", "g1"], ["u2", "g1"]])

        // u1 moves to g2, u2 leaves its group.
        let second = ResourceOp.ordered([
            .removeMember(groupID: "g1", userID: "u1"),
            .addMember(groupID: "g2", userID: "u1"),
            .removeMember(groupID: "g1", userID: "u2"),
        ])
        try target.apply(second)
        #expect(try groupsOfUsers() == [["u1", "g2"], ["u2", "NULL"]])
        try target.apply(second)
        #expect(try groupsOfUsers() == [["u1", "g2"], ["u2", "NULL"]])

        // A stale removal of an old group leaves the new one; a replayed create keeps the
        // group column, which creates do not map.
        try target.apply([.removeMember(groupID: "g1", userID: "u1")])
        try target.apply([.create(.user, Portal.user("u1", login: "erin", given: "Erin", family: "Hale", mail: nil))])
        #expect(try groupsOfUsers() == [["u1", "g2"], ["u2", "NULL"]])

        // A group the target lacks: the membership is parked, keyed by the user (a user has
        // one group in this layout), and the users' group column stays as it was.
        let parked = try target.apply([.addMember(groupID: "g-missing", userID: "u2")])
        #expect(parked.parked.map(\.waitingFor) == [ResourceRef(.group, "g-missing")])
        #expect(parked.parked.map(\.key) == [target.parkingKey(.addMember(groupID: "g1", userID: "u2"))])
        #expect(try groupsOfUsers() == [["u1", "g2"], ["u2", "NULL"]])

        try target.apply([.delete(.user, id: "u1")])
        #expect(try groupsOfUsers() == [["u2", "NULL"]])
    }
}
