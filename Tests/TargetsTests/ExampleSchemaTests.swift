import Directory
import Foundation
import SQLClients
import Testing

@testable import Targets

/// The tables the example configuration ships for its SQLite target (config/sql/sqlite-target.sql,
/// written by hand, with its own NOT NULL and DEFERRABLE choices) take the target's writes.
@Suite struct ExampleSchemaTests {
    static let schemaFile = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("config/sql/sqlite-target.sql")

    @Test func sqliteTargetSchemaOfTheExampleConfig() throws {
        var layout = try PortalLayout.make(suffix: "unused")
        layout.users.table = "portal_users"
        layout.groups?.table = "portal_groups"
        layout.membership?.table = "portal_memberships"
        let database = try TargetUnderTest.sqlite(layout)
        try database.connection.run(try String(contentsOf: Self.schemaFile, encoding: .utf8))
        let target = try SQLTarget(connection: database.connection, dialect: .sqlite, layout: layout)
        try target.validate(onDelete: .deactivate)
        let batch = ResourceOp.ordered([
            .create(.group, Portal.group("10", "Engineering")),
            .create(.group, Portal.group("11", "Platform")),
            .moveParent(groupID: "11", parentID: "10"),
            .create(.user, Portal.user("1", login: "babs", given: "Barbara", family: "Jensen", mail: "babs@example.com")),
            .addMember(groupID: "11", userID: "1"),
        ])
        try target.apply(batch)
        try target.apply(batch)
        try target.apply([.deactivate(userID: "1")])
        #expect(try database.rows("portal_users", ["id", "login", "mail", "enabled"]) == [["1", "babs", "babs@example.com", "0"]])
        #expect(try database.rows("portal_groups", ["id", "title", "parent"]) == [["10", "Engineering", "NULL"], ["11", "Platform", "10"]])
        #expect(try database.rows("portal_memberships", ["user_id", "group_id"]) == [["1", "11"]])
    }
}
