import Directory
import SCIM
import Testing

@Suite struct LayoutValidationTests {
    static func entry(_ text: String, _ path: AttributePath, _ column: String) -> AttributeMap.Entry {
        AttributeMap.Entry(pathText: text, path: path, column: column)
    }

    static let idEntry = entry("id", AttributePath(attribute: "id"), "id")

    @Test func theSeedLayoutsAreValid() {
        #expect(Seed.relationLayout.validate() == [])
        #expect(Seed.groupColumnLayout.validate() == [])
    }

    @Test func missingId() {
        let layout = DirectoryLayout(
            users: UsersTable(
                table: "sync_users",
                attributes: AttributeMap([Self.entry("userName", AttributePath(attribute: "userName"), "username")])))
        #expect(layout.validate() == [LayoutIssue(path: "users.attributes", message: "no mapping for \"id\"")])
        #expect(layout.validate().map(\.description) == ["users.attributes: no mapping for \"id\""])
    }

    @Test func sameColumnAndSamePathMappedTwice() {
        let layout = DirectoryLayout(
            users: UsersTable(
                table: "sync_users",
                attributes: AttributeMap([
                    Self.idEntry,
                    Self.entry("userName", AttributePath(attribute: "userName"), "email"),
                    Self.entry("emails[type eq \"work\"].value", Seed.workEmail, "EMAIL"),
                    Self.entry("username", AttributePath(attribute: "username"), "login"),
                ])))
        #expect(
            layout.validate() == [
                LayoutIssue(
                    path: "users.attributes",
                    message: "column \"EMAIL\" is mapped twice (userName and emails[type eq \"work\"].value)"),
                LayoutIssue(
                    path: "users.attributes", message: "username is mapped twice (columns \"email\" and \"login\")"),
            ])
    }

    @Test func valueFiltersMustBeEqAndAnd() {
        let notEq = AttributePath(
            attribute: "emails", valueFilter: .compare(AttributePath(attribute: "type"), .ne, "work"),
            subAttribute: "value")
        let or = AttributePath(
            attribute: "emails",
            valueFilter: .or(
                .compare(AttributePath(attribute: "type"), .eq, "work"),
                .compare(AttributePath(attribute: "type"), .eq, "home")),
            subAttribute: "value")
        let eqAnd = AttributePath(
            attribute: "emails",
            valueFilter: .and(
                .compare(AttributePath(attribute: "type"), .eq, "work"),
                .compare(AttributePath(attribute: "primary"), .eq, true)),
            subAttribute: "value")
        let layout = DirectoryLayout(
            users: UsersTable(
                table: "sync_users",
                attributes: AttributeMap([
                    Self.idEntry,
                    Self.entry("emails[type ne \"work\"].value", notEq, "a"),
                    Self.entry("emails[type eq \"work\" or type eq \"home\"].value", or, "b"),
                    Self.entry("emails[type eq \"work\" and primary eq true].value", eqAnd, "c"),
                ])))
        let rule =
            "a value filter in a map must be \"eq\" comparisons joined by \"and\", such as emails[type eq \"work\"].value"
        #expect(
            layout.validate() == [
                LayoutIssue(path: "users.attributes", message: "emails[type ne \"work\"].value: " + rule),
                LayoutIssue(
                    path: "users.attributes", message: "emails[type eq \"work\" or type eq \"home\"].value: " + rule),
            ])
    }

    @Test func membershipNeedsGroups() {
        let layout = DirectoryLayout(
            users: UsersTable(table: "sync_users", attributes: Seed.userMap, group: "group_id"),
            membership: MembershipTable(table: "sync_users_groups_rel", user: "user_id", group: "group_id"))
        #expect(
            layout.validate() == [
                LayoutIssue(path: "users.group", message: "users.group needs a groups table"),
                LayoutIssue(path: "membership", message: "membership needs a groups table"),
                LayoutIssue(path: "membership", message: "give either users.group or membership, not both"),
            ])
    }

    @Test func groupColumnAndRelationTableExcludeEachOther() {
        var layout = Seed.relationLayout
        layout.users.group = "group_id"
        #expect(
            layout.validate() == [
                LayoutIssue(path: "membership", message: "give either users.group or membership, not both")
            ])
    }

    @Test func emptyNames() {
        let layout = DirectoryLayout(
            users: UsersTable(
                table: "",
                attributes: AttributeMap([
                    Self.idEntry, Self.entry("userName", AttributePath(attribute: "userName"), ""),
                ])),
            groups: GroupsTable(table: "sync_groups", attributes: Seed.groupMap, parent: ""),
            membership: MembershipTable(table: "rel", user: "", group: "group_id"))
        #expect(
            layout.validate() == [
                LayoutIssue(path: "users.table", message: "the table name is empty"),
                LayoutIssue(path: "users.attributes", message: "the column for userName is empty"),
                LayoutIssue(path: "groups.parent", message: "the column name is empty"),
                LayoutIssue(path: "membership.user", message: "the column name is empty"),
            ])
    }

    @Test func identifiersMustBePlain() {
        let tableRule =
            "is not a plain SQL table name (letters, digits, \"_\" and \"$\", optionally schema.table, at most 64 characters each)"
        let columnRule = "is not a plain SQL column name (letters, digits, \"_\" and \"$\", at most 64 characters)"
        let layout = DirectoryLayout(
            users: UsersTable(
                table: "users; DROP TABLE x",
                attributes: AttributeMap([
                    Self.idEntry, Self.entry("userName", AttributePath(attribute: "userName"), "user name"),
                ]),
                group: "grp`"),
            groups: GroupsTable(table: "a.b.c", attributes: Seed.groupMap, parent: "parent--"),
            membership: nil)
        #expect(
            layout.validate() == [
                LayoutIssue(path: "users.table", message: "\"users; DROP TABLE x\" " + tableRule),
                LayoutIssue(path: "users.attributes", message: "the column for userName: \"user name\" " + columnRule),
                LayoutIssue(path: "users.group", message: "\"grp`\" " + columnRule),
                LayoutIssue(path: "groups.table", message: "\"a.b.c\" " + tableRule),
                LayoutIssue(path: "groups.parent", message: "\"parent--\" " + columnRule),
            ])
    }

    @Test func plainIdentifiersPass() {
        let long = String(repeating: "a", count: 64)
        let layout = DirectoryLayout(
            users: UsersTable(
                table: "hr.sync_users$2",
                attributes: AttributeMap([Self.entry("id", AttributePath(attribute: "id"), long)])),
            groups: GroupsTable(
                table: "Gruppen_Größe",
                attributes: AttributeMap([Self.entry("id", AttributePath(attribute: "id"), "id")])),
            membership: MembershipTable(table: "rel", user: "u1", group: "g_1"))
        #expect(layout.validate() == [])
        var tooLong = layout
        tooLong.users.table = long + "a"
        #expect(tooLong.validate().map(\.path) == ["users.table"])
        var schemaTooLong = layout
        schemaTooLong.users.table = long + "." + long
        #expect(schemaTooLong.validate() == [])
    }

    @Test func tablesMustDiffer() {
        var layout = Seed.relationLayout
        layout.groups?.table = "SYNC_USERS"
        layout.membership?.table = "sync_users"
        layout.membership?.group = "USER_ID"
        #expect(
            layout.validate() == [
                LayoutIssue(path: "groups.table", message: "\"SYNC_USERS\" is already the users table"),
                LayoutIssue(path: "membership.table", message: "\"sync_users\" is already the users table"),
                LayoutIssue(path: "membership.table", message: "\"sync_users\" is already the groups table"),
                LayoutIssue(path: "membership.group", message: "the user and group columns are the same column"),
            ])
    }
}
