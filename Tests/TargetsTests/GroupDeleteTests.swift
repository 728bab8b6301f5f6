import Directory
import Foundation
import SCIM
import SQLClients
import Targets
import Testing

/// A group deleted at the source while the target still has its members and children (the
/// source's ON DELETE actions are not in the binlog): the target lets go of them first.
@Suite struct GroupDeleteTests {
    @Test func membersAndChildrenAreReleased() throws {
        let path = NSTemporaryDirectory() + "scimsync-group-delete-\(UUID().uuidString).db"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = try SQLiteDatabase(path: path)
        let layout = DirectoryLayout(
            users: UsersTable(table: "u", attributes: AttributeMap([.init(pathText: "id", path: AttributePath(attribute: "id"), column: "id")])),
            groups: GroupsTable(
                table: "g",
                attributes: AttributeMap([
                    .init(pathText: "id", path: AttributePath(attribute: "id"), column: "id"),
                    .init(pathText: "displayName", path: AttributePath(attribute: "displayName"), column: "name"),
                ]),
                parent: "parent"),
            membership: MembershipTable(table: "m", user: "user_id", group: "group_id"))
        for statement in createTableStatements(for: layout, dialect: .sqlite) { try database.execute(statement) }
        let target = try SQLTarget(sqlite: database, layout: layout)
        func group(_ id: String) -> SCIMResource {
            SCIMResource(["schemas": [.string(SchemaURN.group)], "id": .string(id), "displayName": .string("G\(id)")])
        }
        try target.apply([
            .create(.group, group("1")), .create(.group, group("2")), .moveParent(groupID: "2", parentID: "1"),
            .create(.user, SCIMResource(["schemas": [.string(SchemaURN.user)], "id": "7"])), .addMember(groupID: "1", userID: "7"),
        ])
        try target.apply([.delete(.group, id: "1")])
        #expect(try database.query("SELECT id, parent FROM g") == [Row(["id": .text("2"), "parent": .null])])
        #expect(try database.query("SELECT COUNT(*) AS n FROM m") == [Row(["n": .int(0)])])
        #expect(try database.query("SELECT id FROM u") == [Row(["id": .text("7")])])
    }
}
