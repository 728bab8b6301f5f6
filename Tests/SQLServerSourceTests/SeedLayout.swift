import Directory
import Foundation
import SCIM

/// The seed layout (config/sql/sqlserver-source.sql) as the example configurations map it.
enum SeedLayout {
    static let repositoryRoot: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static var layout: DirectoryLayout {
        func entry(_ text: String, _ path: AttributePath, _ column: String) -> AttributeMap.Entry {
            .init(pathText: text, path: path, column: column)
        }
        let workEmail = AttributePath(
            attribute: "emails", valueFilter: .compare(AttributePath(attribute: "type"), .eq, "work"), subAttribute: "value")
        return DirectoryLayout(
            users: UsersTable(
                table: "sync_users",
                attributes: AttributeMap([
                    entry("id", AttributePath(attribute: "id"), "id"),
                    entry("userName", AttributePath(attribute: "userName"), "username"),
                    entry("name.givenName", AttributePath(attribute: "name", subAttribute: "givenName"), "first_name"),
                    entry("name.familyName", AttributePath(attribute: "name", subAttribute: "familyName"), "last_name"),
                    entry("emails[type eq \"work\"].value", workEmail, "email"),
                    entry("title", AttributePath(attribute: "title"), "job_title"),
                    entry("active", AttributePath(attribute: "active"), "is_active"),
                ])),
            groups: GroupsTable(
                table: "sync_groups",
                attributes: AttributeMap([
                    entry("id", AttributePath(attribute: "id"), "id"),
                    entry("displayName", AttributePath(attribute: "displayName"), "name"),
                ]),
                parent: "parent_id"),
            membership: MembershipTable(table: "sync_users_groups_rel", user: "user_id", group: "group_id"))
    }

    /// The statements of config/sql/sqlserver-source.sql.
    static func statements() throws -> [String] {
        let text = try String(contentsOfFile: repositoryRoot + "/config/sql/sqlserver-source.sql", encoding: .utf8)
        let withoutComments = text.split(separator: "\n").filter { !$0.hasPrefix("--") }.joined(separator: "\n")
        return withoutComments.components(separatedBy: ";\n")
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .map { $0.hasSuffix(";") ? String($0.dropLast()) : $0 }
            .filter { !$0.isEmpty }
    }
}
