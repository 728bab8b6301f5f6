import Directory
import Logging
import Reconcile
import SCIM

/// One full read of a Feishu tenant's directory (contact v3), with ids in the tenant's own
/// types (`department_id_type=department_id`, `user_id_type=user_id`):
///
/// 1. the department tree under the root `0`: `GET /open-apis/contact/v3/departments/0/children`
///    with `fetch_child=true` (every descendant, level by level), `page_token` paging; should
///    Feishu refuse the recursive listing of a very large tree (43010), each department's
///    children are listed instead, level by level;
/// 2. each department's direct members, the root's included:
///    `GET /open-apis/contact/v3/users/find_by_department`, paged: one call per page, never one
///    per user. A user in several departments is listed by each and kept once; its
///    `department_ids` give its memberships.
///
/// Departments become groups (their parent the parent department; the root `0` is no group),
/// users become users.
struct FeishuDirectoryRead {
    let client: FeishuClient
    let records: FeishuRecords
    let pageSize: Int
    let logger: Logger

    static let childrenAPI = "contact.v3.department.children"
    static let usersAPI = "contact.v3.user.find_by_department"
    /// "the recursion of a huge department is refused": list level by level instead.
    static let tooLargeToRecurse = 43010
    static let root = "0"

    private var idTypes: [(String, String)] { [("department_id_type", "department_id"), ("user_id_type", "user_id")] }

    func read() async throws -> ChatDirectoryReader {
        let departments = try await departmentTree()
        var groups: [DirectoryEntry] = []
        var known = Set<String>()
        for department in departments {
            guard let id = FeishuRecords.id(department, own: "department_id", open: "open_department_id"), id != Self.root,
                known.insert(id).inserted
            else { continue }
            let parent = department["parent_department_id"]?.stringValue
            let resource = try records.groups.resource(from: FeishuRecords.row(department, fields: records.groups))
            groups.append(DirectoryEntry(id: id, resource: resource, parentID: parent == Self.root || parent == "" ? nil : parent))
        }
        // The ids seen stay in memory (a few dozen bytes each), the users and memberships go
        // to the spool a page at a time.
        var read = try ChatReadBuffer(platform: "Feishu")
        try read.add(groups: groups)
        var seen = Set<String>()
        for department in [Self.root] + groups.map(\.id) {
            try await forEachPage(api: Self.usersAPI, path: "/open-apis/contact/v3/users/find_by_department",
                query: [("department_id", department)]) { items in
                for user in items {
                    guard let id = FeishuRecords.id(user, own: "user_id", open: "open_id"), seen.insert(id).inserted else {
                        continue
                    }
                    let resource = try records.users.resource(from: FeishuRecords.row(user, fields: records.users))
                    try read.add(user: DirectoryEntry(id: id, resource: resource))
                    for group in user["department_ids"]?.arrayValue?.compactMap(\.stringValue) ?? [] where known.contains(group) {
                        try read.add(membership: Membership(groupID: group, userID: id))
                    }
                }
            }
        }
        let reader = try read.reader()
        let memberships = try reader.spool.membershipCount()
        logger.info(
            "Feishu directory read",
            metadata: [
                "departments": "\(groups.count)", "users": "\(seen.count)", "memberships": "\(memberships)",
            ])
        return reader
    }

    /// Every department under the root, parents before children.
    private func departmentTree() async throws -> [SCIMObject] {
        do {
            return try await children(of: Self.root, recursive: true)
        } catch FeishuError.refused(_, _, Self.tooLargeToRecurse, _, _) {
            logger.info("Feishu refused the recursive department listing; listing level by level")
        }
        var all: [SCIMObject] = []
        var level = [Self.root]
        while !level.isEmpty {
            var next: [String] = []
            for parent in level {
                let found = try await children(of: parent, recursive: false)
                all += found
                next += found.compactMap { FeishuRecords.id($0, own: "department_id", open: "open_department_id") }
            }
            level = next
        }
        return all
    }

    private func children(of department: String, recursive: Bool) async throws -> [SCIMObject] {
        var found: [SCIMObject] = []
        try await forEachPage(
            api: Self.childrenAPI,
            path: "/open-apis/contact/v3/departments/\(PlatformURL.pathSegment(department))/children",
            query: [("fetch_child", recursive ? "true" : "false")]
        ) { found += $0 }
        return found
    }

    /// Every page of a listing: `page_size`, then `page_token` while `has_more`.
    private func forEachPage(
        api: String, path: String, query: [(String, String)], _ body: ([SCIMObject]) async throws -> Void
    ) async throws {
        var token: String?
        var pages = 0
        // A token given before would page through the same items again, for ever: the
        // listing's tokens are opaque, so only a repeat can be told.
        var seen: Set<String> = []
        repeat {
            var parameters = query + idTypes + [("page_size", String(pageSize))]
            if let token { parameters.append(("page_token", token)) }
            let data = try await client.get(api: api, path: path, query: parameters)
            try await body(data["items"]?.arrayValue?.compactMap(\.objectValue) ?? [])
            pages += 1
            let more = data["has_more"]?.boolValue ?? false
            token = more ? data["page_token"]?.stringValue : nil
            if more, token?.isEmpty != false {
                throw FeishuError.invalidAnswer(api: api, reason: "has_more without a page_token")
            }
            if let token, !seen.insert(token).inserted {
                throw FeishuError.invalidAnswer(
                    api: api, reason: "has_more with a page_token it gave before (page \(pages)): the listing would not end")
            }
            // A platform answering has_more for ever would hold the pass for ever.
            if pages > 1_000_000 { throw FeishuError.invalidAnswer(api: api, reason: "more than a million pages") }
        } while token != nil
    }
}
