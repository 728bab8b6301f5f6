import Directory
import SCIM

/// The layouts of the seed databases:
/// `sync_users(id, username, first_name, last_name, email, is_active TINYINT(1), group_id)`,
/// `sync_groups(id, name, parent_id)`, `sync_users_groups_rel(user_id, group_id)`.
enum Seed {
    static let workEmail = AttributePath(
        attribute: "emails", valueFilter: .compare(AttributePath(attribute: "type"), .eq, "work"),
        subAttribute: "value")

    static let userMap = AttributeMap([
        .init(pathText: "id", path: AttributePath(attribute: "id"), column: "id"),
        .init(pathText: "userName", path: AttributePath(attribute: "userName"), column: "username"),
        .init(
            pathText: "name.givenName", path: AttributePath(attribute: "name", subAttribute: "givenName"),
            column: "first_name"),
        .init(
            pathText: "name.familyName", path: AttributePath(attribute: "name", subAttribute: "familyName"),
            column: "last_name"),
        .init(pathText: "emails[type eq \"work\"].value", path: workEmail, column: "email"),
        .init(pathText: "active", path: AttributePath(attribute: "active"), column: "is_active"),
    ])

    static let groupMap = AttributeMap([
        .init(pathText: "id", path: AttributePath(attribute: "id"), column: "id"),
        .init(pathText: "displayName", path: AttributePath(attribute: "displayName"), column: "name"),
    ])

    /// Membership through the relation table.
    static let relationLayout = DirectoryLayout(
        users: UsersTable(table: "sync_users", attributes: userMap),
        groups: GroupsTable(table: "sync_groups", attributes: groupMap, parent: "parent_id"),
        membership: MembershipTable(table: "sync_users_groups_rel", user: "user_id", group: "group_id"))

    /// Membership through `sync_users.group_id`.
    static let groupColumnLayout = DirectoryLayout(
        users: UsersTable(table: "sync_users", attributes: userMap, group: "group_id"),
        groups: GroupsTable(table: "sync_groups", attributes: groupMap, parent: "parent_id"))

    static func userRow(
        id: Int64 = 7, username: String = "bjensen", first: SQLValue = .text("Barbara"),
        last: SQLValue = .text("Jensen"), email: SQLValue = .text("bjensen@example.com"),
        active: SQLValue = .int(1), group: SQLValue = .int(3)
    ) -> Row {
        Row([
            "id": .int(id), "username": .text(username), "first_name": first, "last_name": last, "email": email,
            "is_active": active, "group_id": group,
        ])
    }

    static func groupRow(id: Int64 = 3, name: String = "Sales", parent: SQLValue = .null) -> Row {
        Row(["id": .int(id), "name": .text(name), "parent_id": parent])
    }

    static func relationRow(user: Int64, group: Int64) -> Row {
        Row(["user_id": .int(user), "group_id": .int(group)])
    }

    /// The resource `userRow()` maps to.
    static let bjensen = SCIMResource([
        "schemas": [.string(SchemaURN.user)],
        "id": "7",
        "userName": "bjensen",
        "name": ["givenName": "Barbara", "familyName": "Jensen"],
        "emails": [["type": "work", "value": "bjensen@example.com"]],
        "active": true,
    ])
}
