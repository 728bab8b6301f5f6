import Directory
import Logging
import Reconcile
import SCIM

/// One full read of a WeCom corp's directory with the self-built app's token:
///
/// 1. the department tree in one call: `GET /cgi-bin/department/list` without an `id` (every
///    department the app can see, with its name and parent). Should WeCom refuse it to this
///    app (48002), the ids and parents come from `department/simplelist` (获取子部门ID列表, also
///    one call) and each department's name from `department/get` (获取单个部门详情);
/// 2. each department's direct members, the root's included:
///    `GET /cgi-bin/user/list?department_id=ID` (获取部门成员详情), which gives the members'
///    fields: one call per department, never one `user/get` per member. WeCom does not page
///    it. A member in several departments is listed by each and kept once; its `department`
///    list gives its memberships.
///
/// Why not `user/list_id`, the one paged listing: it answers ids only, and only to the
/// contact-sync secret; its fields would then cost a `user/get` per member.
///
/// Departments become groups (their parent the parent department; the root `1` is no group),
/// members become users.
struct WeComDirectoryRead {
    let client: WeComClient
    let records: WeComRecords
    let logger: Logger

    static let departmentListAPI = "department/list"
    static let simpleListAPI = "department/simplelist"
    static let departmentAPI = "department/get"
    static let usersAPI = "user/list"
    static let root = "1"
    /// "api forbidden": an API this secret may not call.
    static let forbidden = 48002
    /// "department not found": gone between the tree and its members' listing.
    static let departmentNotFound = 60003

    func read() async throws -> ChatDirectoryReader {
        let departments = try await departmentTree()
        let ids = Set(departments.compactMap { WeComRecords.departmentID($0["id"]) })
        var groups: [DirectoryEntry] = []
        var listed: [String] = []
        var listedIDs = Set<String>()
        for department in departments {
            guard let id = WeComRecords.departmentID(department["id"]), listedIDs.insert(id).inserted else { continue }
            listed.append(id)
            guard id != Self.root else { continue }
            // A parent outside what the app sees (a visible range narrower than the corp) is
            // no group here: the department is a top-level group.
            let parent = WeComRecords.departmentID(department["parentid"]).flatMap { ids.contains($0) && $0 != Self.root ? $0 : nil }
            let resource = try records.groups.resource(from: WeComRecords.row(department, fields: records.groups))
            groups.append(DirectoryEntry(id: id, resource: resource, parentID: parent))
        }
        let known = Set(groups.map(\.id))
        // The ids seen stay in memory (a few dozen bytes each), the users and memberships go
        // to the spool a page at a time.
        var read = try ChatReadBuffer(platform: "WeCom")
        try read.add(groups: groups)
        var seen = Set<String>()
        // Mapped fields an app made after 2022-06-20 is not given, until one member has one.
        var withheld = Set(records.users.attributes.entries.map(\.column)).intersection(WeComFields.sensitiveUser)
        for department in listed {
            let answer: SCIMObject
            do {
                answer = try await client.call(api: Self.usersAPI, secret: .app, query: [("department_id", department)])
            } catch WeComError.refused(_, _, Self.departmentNotFound, _) {
                logger.info("WeCom department gone during the read; its members are read with their other departments",
                    metadata: ["department": "\(department)"])
                continue
            }
            for user in answer["userlist"]?.arrayValue?.compactMap(\.objectValue) ?? [] {
                guard let id = user["userid"]?.stringValue, !id.isEmpty, seen.insert(id).inserted else { continue }
                if !withheld.isEmpty { withheld = withheld.filter { user[$0] == nil } }
                let resource = try records.users.resource(from: WeComRecords.row(user, fields: records.users))
                try read.add(user: DirectoryEntry(id: id, resource: resource))
                var groupsOfUser = Set<String>()
                for group in user["department"]?.arrayValue?.compactMap({ WeComRecords.departmentID($0) }) ?? []
                where known.contains(group) && groupsOfUser.insert(group).inserted {
                    try read.add(membership: Membership(groupID: group, userID: id))
                }
            }
        }
        if !seen.isEmpty, !withheld.isEmpty {
            logger.info(
                "WeCom gave no member the mapped fields: apps made after 2022-06-20 are not given them; their attributes stay empty",
                metadata: ["fields": "\(withheld.sorted().joined(separator: ","))"])
        }
        let reader = try read.reader()
        let memberships = try reader.spool.membershipCount()
        logger.info(
            "WeCom directory read",
            metadata: [
                "departments": "\(groups.count)", "users": "\(seen.count)", "memberships": "\(memberships)",
            ])
        return reader
    }

    /// Every department the app sees, the root included when it sees it.
    private func departmentTree() async throws -> [SCIMObject] {
        do {
            let answer = try await client.call(api: Self.departmentListAPI, secret: .app)
            return answer["department"]?.arrayValue?.compactMap(\.objectValue) ?? []
        } catch WeComError.refused(_, _, Self.forbidden, _) {
            logger.info("WeCom refused department/list to this app; reading the tree's ids and each department")
        }
        let answer = try await client.call(api: Self.simpleListAPI, secret: .app)
        var departments: [SCIMObject] = []
        for entry in answer["department_id"]?.arrayValue?.compactMap(\.objectValue) ?? [] {
            guard let id = WeComRecords.departmentID(entry["id"]) else { continue }
            guard id != Self.root else {
                departments.append(entry)
                continue
            }
            do {
                let detail = try await client.call(api: Self.departmentAPI, secret: .app, query: [("id", id)])
                guard var department = detail["department"]?.objectValue else {
                    throw WeComError.invalidAnswer(api: Self.departmentAPI, reason: "no \"department\" object")
                }
                // The tree's parent and order, read in the same instant as every other id.
                for key in ["parentid", "order"] { department[key] = entry[key] }
                departments.append(department)
            } catch WeComError.refused(_, _, Self.departmentNotFound, _) {
                continue
            }
        }
        return departments
    }
}
