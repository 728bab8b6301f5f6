import Directory
import Testing

/// The tables and columns a layout needs, which the catalog checks compare with a database.
@Suite struct LayoutTableUseTests {
    @Test func everyTableAndColumnWithWhyItIsNeeded() {
        let uses = Seed.relationLayout.tableUses
        #expect(uses.map(\.table) == ["sync_users", "sync_groups", "sync_users_groups_rel"])
        #expect(uses.map(\.path) == ["users.table", "groups.table", "membership.table"])
        #expect(
            uses[0].columns.map(\.column) == ["id", "username", "first_name", "last_name", "email", "is_active"])
        #expect(uses[0].columns[4] == LayoutColumnUse(column: "email", path: "users.attributes", attribute: "emails[type eq \"work\"].value"))
        #expect(uses[1].columns.last == LayoutColumnUse(column: "parent_id", path: "groups.parent"))
        #expect(
            uses[2].columns == [
                LayoutColumnUse(column: "user_id", path: "membership.user"),
                LayoutColumnUse(column: "group_id", path: "membership.group"),
            ])
    }

    @Test func theGroupColumnAndEmptyNames() {
        var layout = Seed.groupColumnLayout
        layout.groups?.table = ""
        layout.users.attributes.entries[2].column = ""
        let uses = layout.tableUses
        #expect(uses.map(\.table) == ["sync_users"])
        #expect(uses[0].columns.map(\.column) == ["id", "username", "last_name", "email", "is_active", "group_id"])
        #expect(uses[0].columns.last?.path == "users.group")
    }
}
