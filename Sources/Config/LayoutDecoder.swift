import Directory
import Foundation
import SCIM

/// Decodes a `layout:` block into a `DirectoryLayout` and reports the layout's own
/// validation issues (no `id` mapping, a column mapped twice ...) under the block's key path.
struct LayoutDecoder {
    let collector: IssueCollector

    func decode(_ node: ConfigNode) -> DirectoryLayout? {
        guard let map = node.mapping(allowed: ["users", "groups", "membership", "timeZone"]) else { return nil }
        let users = map.required("users", "the users table and its attribute map").flatMap(usersTable)
        let groups = map["groups"].map(groupsTable)
        let membership = map["membership"].map(membershipTable)
        let zone = map["timeZone"].map(timeZone) ?? .utc
        guard let users, let zone else { return nil }
        if let groups, groups == nil { return nil }
        if let membership, membership == nil { return nil }
        let layout = DirectoryLayout(users: users, groups: groups ?? nil, membership: membership ?? nil, timeZone: zone)
        let issues = layout.validate()
        for issue in issues {
            var path = issue.path.split(separator: ".").reduce(node.path) { $0.appending(String($1)) }
            // The attribute-map key is one component, dots and all (`name.givenName`).
            if let key = issue.key { path = path.appending(key) }
            collector.report(path, issue.message)
        }
        return issues.isEmpty ? layout : nil
    }

    /// The zone of the layout's wall-clock columns (MySQL DATETIME, PostgreSQL timestamp):
    /// `UTC`, a fixed offset such as `+02:00`, or an IANA name such as `Europe/Berlin`.
    private func timeZone(_ node: ConfigNode) -> WallClockZone? {
        guard let text = node.nonEmptyString() else { return nil }
        if let fixed = WallClockZone(fixedOffset: text) { return fixed }
        if text.contains("/"), let zone = TimeZone(identifier: text) {
            return WallClockZone(identifier: text) { instant in
                zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant)))
            }
        }
        collector.report(node.path, "\"\(text)\" is not a time zone: use UTC, an offset such as +02:00, or a name such as Europe/Berlin")
        return nil
    }

    private func usersTable(_ node: ConfigNode) -> UsersTable? {
        guard let map = node.mapping(allowed: ["table", "attributes", "group"]) else { return nil }
        let table = map.required("table", "the users table's name")?.nonEmptyString()
        let attributes = map.required("attributes", "SCIM attribute paths mapped to columns, at least id").flatMap(attributeMap)
        let group = map["group"].map { $0.nonEmptyString() }
        guard let table, let attributes else { return nil }
        if let group, group == nil { return nil }
        return UsersTable(table: table, attributes: attributes, group: group ?? nil)
    }

    private func groupsTable(_ node: ConfigNode) -> GroupsTable? {
        guard let map = node.mapping(allowed: ["table", "attributes", "parent"]) else { return nil }
        let table = map.required("table", "the groups table's name")?.nonEmptyString()
        let attributes = map.required("attributes", "SCIM attribute paths mapped to columns, at least id").flatMap(attributeMap)
        let parent = map["parent"].map { $0.nonEmptyString() }
        guard let table, let attributes else { return nil }
        if let parent, parent == nil { return nil }
        return GroupsTable(table: table, attributes: attributes, parent: parent ?? nil)
    }

    private func membershipTable(_ node: ConfigNode) -> MembershipTable? {
        guard let map = node.mapping(allowed: ["table", "user", "group"]) else { return nil }
        let table = map.required("table", "the relation table's name")?.nonEmptyString()
        let user = map.required("user", "the column holding the user's id")?.nonEmptyString()
        let group = map.required("group", "the column holding the group's id")?.nonEmptyString()
        guard let table, let user, let group else { return nil }
        return MembershipTable(table: table, user: user, group: group)
    }

    /// `{ scimPath: column }` in file order.
    private func attributeMap(_ node: ConfigNode) -> AttributeMap? {
        guard let fields = node.freeMapping() else { return nil }
        var entries: [AttributeMap.Entry] = []
        var ok = true
        for (pathText, columnNode) in fields {
            let column = columnNode.nonEmptyString()
            let path: AttributePath?
            do {
                path = try AttributePath.parse(pathText)
            } catch {
                collector.report(columnNode.path, "not a SCIM attribute path: \(error)")
                path = nil
            }
            guard let column, let path else {
                ok = false
                continue
            }
            entries.append(AttributeMap.Entry(pathText: pathText, path: path, column: column))
        }
        return ok ? AttributeMap(entries) : nil
    }
}
