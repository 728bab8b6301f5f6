import Directory
import SCIM

extension FeedControl {
    /// The control file as a layout: its fields as the users' columns (with `id`, which the
    /// feed sets to the userName, and `active`, which blocks change) and the managed groups'
    /// `id` and `displayName`, and their memberships. It says what a reconciliation compares:
    /// the feed's users, its managed groups and the memberships in them (the feed owns a
    /// user's memberships in managed groups only; its snapshot's reader names them, so that a
    /// pass leaves the others). A target without a layout of its own (a SCIM provider) keeps
    /// these attributes.
    public var layout: DirectoryLayout {
        var entries = [AttributeMap.Entry(pathText: "id", path: AttributePath(attribute: "id"), column: "id")]
        entries += attributes.map { AttributeMap.Entry(pathText: $0.pathText, path: $0.path, column: $0.field) }
        if !mapsActive {
            entries.append(AttributeMap.Entry(pathText: "active", path: AttributePath(attribute: "active"), column: "active"))
        }
        let users = UsersTable(table: "feed_users", attributes: AttributeMap(entries))
        guard !managedGroups.isEmpty else { return DirectoryLayout(users: users) }
        let groups = GroupsTable(
            table: "feed_groups",
            attributes: AttributeMap([
                AttributeMap.Entry(pathText: "id", path: AttributePath(attribute: "id"), column: "id"),
                AttributeMap.Entry(pathText: "displayName", path: AttributePath(attribute: "displayName"), column: "display_name"),
            ]))
        // The feed's memberships in its managed groups, which a pass compares (and only
        // those: ``FeedSnapshot``'s reader names the groups).
        return DirectoryLayout(
            users: users, groups: groups, membership: MembershipTable(table: "feed_memberships", user: "user_id", group: "group_id"))
    }

    /// Whether a record field fills `active`; otherwise the feed sets it (true, false once
    /// blocked).
    public var mapsActive: Bool {
        attributes.contains { $0.path.isFeedTopLevel("active") }
    }
}
