import Directory
import SCIM
import Testing

@Suite struct LayoutColumnCheckTests {
    static let seedTables: [String: [String]] = [
        "sync_users": ["id", "username", "first_name", "last_name", "email", "is_active", "group_id"],
        "sync_groups": ["id", "name", "parent_id"],
        "sync_users_groups_rel": ["user_id", "group_id"],
    ]

    @Test func theSeedLayoutsMatchTheSeedTables() {
        #expect(Seed.relationLayout.issues(againstColumns: Self.seedTables) == [])
        #expect(Seed.groupColumnLayout.issues(againstColumns: Self.seedTables) == [])
    }

    @Test func unknownTableWithAHint() {
        var layout = Seed.relationLayout
        layout.users.table = "sync_user"
        #expect(
            layout.issues(againstColumns: Self.seedTables) == [
                LayoutIssue(path: "users.table", message: "unknown table \"sync_user\" (did you mean \"sync_users\"?)")
            ])
    }

    @Test func unknownTableWithoutAHint() {
        var layout = Seed.relationLayout
        layout.membership?.table = "memberships"
        #expect(
            layout.issues(againstColumns: Self.seedTables) == [
                LayoutIssue(path: "membership.table", message: "unknown table \"memberships\"")
            ])
    }

    @Test func unknownColumnsWithHints() {
        var layout = Seed.groupColumnLayout
        layout.users.attributes.entries[4].column = "emial"
        layout.users.attributes.entries[5].column = "enabled"
        layout.users.group = "groupid"
        layout.groups?.parent = "parent"
        #expect(
            layout.issues(againstColumns: Self.seedTables) == [
                LayoutIssue(
                    path: "users.attributes",
                    message: "table sync_users has no column \"emial\" (did you mean \"email\"?)"),
                LayoutIssue(path: "users.attributes", message: "table sync_users has no column \"enabled\""),
                LayoutIssue(
                    path: "users.group",
                    message: "table sync_users has no column \"groupid\" (did you mean \"group_id\"?)"),
                LayoutIssue(
                    path: "groups.parent",
                    message: "table sync_groups has no column \"parent\" (did you mean \"parent_id\"?)"),
            ])
    }

    @Test func namesIgnoreCaseAndSchema() {
        var layout = Seed.relationLayout
        layout.users.table = "hr.SYNC_USERS"
        layout.users.attributes.entries[1].column = "USERNAME"
        #expect(layout.issues(againstColumns: Self.seedTables) == [])
    }

    @Test func aMissingColumnIsReportedOncePerKeyPath() {
        var layout = Seed.relationLayout
        layout.users.attributes.entries.append(
            AttributeMap.Entry(pathText: "nickName", path: AttributePath(attribute: "nickName"), column: "nick"))
        layout.users.attributes.entries.append(
            AttributeMap.Entry(pathText: "displayName", path: AttributePath(attribute: "displayName"), column: "NICK"))
        #expect(
            layout.issues(againstColumns: Self.seedTables) == [
                LayoutIssue(path: "users.attributes", message: "table sync_users has no column \"nick\"")
            ])
    }
}
