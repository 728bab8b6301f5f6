import Directory
import Logging
import Reconcile
import SCIM

/// One full read of a DingTalk organisation's directory (topapi, as an internal app):
///
/// 1. the department tree under the root `1`, level by level: `topapi/v2/department/listsub`
///    answers one department's children only ("获取部门列表": the next level), so each
///    department found is listed in turn;
/// 2. each department's direct members, the root's included, while the tree is still listed: `topapi/v2/user/list` with its
///    numeric `cursor` from 0 and `size` up to 100, `next_cursor` while `has_more`: one call per
///    page, never one `user/get` per user. A user in several departments is listed by each:
///    kept once, with every department that listed it as a membership.
///
/// Departments become groups (their parent the parent department; the root is no group, so
/// its children have none), users become users.
struct DingTalkDirectoryRead {
    let client: DingTalkClient
    let records: DingTalkRecords
    let pageSize: Int
    let logger: Logger

    static let listsubAPI = "dingtalk.oapi.v2.department.listsub"
    static let userListAPI = "dingtalk.oapi.v2.user.list"
    static let listsubPath = "/topapi/v2/department/listsub"
    static let userListPath = "/topapi/v2/user/list"
    /// "如果是根部门，该参数传1".
    static let root: Int64 = 1

    func read() async throws -> ChatDirectoryReader {
        // The tree and the users are listed at once: each API has its own 20 a second, so a
        // department's users are listed while the next level is found, and a read takes the
        // longer of the two listings rather than their sum.
        let (found, departmentFound) = AsyncThrowingStream<Int64, any Error>.makeStream()
        departmentFound.yield(Self.root)
        async let tree = departmentTree(reporting: departmentFound)
        // The ids seen stay in memory (a few dozen bytes each), the users and memberships go
        // to the spool a page at a time.
        var read = try ChatReadBuffer(platform: "DingTalk")
        var seen = Set<String>()
        for try await department in found {
            try await forEachPage(of: department) { user in
                guard let id = DingTalkRecords.userID(user["userid"]) else {
                    throw DingTalkError.invalidAnswer(
                        api: Self.userListAPI, reason: "a user whose userid is missing or empty, in department \(department)")
                }
                if seen.insert(id).inserted {
                    let resource = try records.users.resource(from: DingTalkRecords.row(user, fields: records.users))
                    try read.add(user: DirectoryEntry(id: id, resource: resource))
                }
                // A department's listing holds its own members only; a user added while the
                // listing is paged may shift into a later page and be listed twice (the spool
                // keeps a membership once).
                if department != Self.root {
                    try read.add(membership: Membership(groupID: String(department), userID: id))
                }
            }
        }
        var groups: [DirectoryEntry] = []
        for (department, listedUnder) in try await tree {
            guard let id = DingTalkRecords.departmentID(department["dept_id"]) else { continue }
            let parent = DingTalkRecords.departmentID(department["parent_id"]) ?? listedUnder
            let resource = try records.groups.resource(from: DingTalkRecords.row(department, fields: records.groups))
            groups.append(DirectoryEntry(id: String(id), resource: resource, parentID: parent == Self.root ? nil : String(parent)))
        }
        try read.add(groups: groups)
        let reader = try read.reader()
        let memberships = try reader.spool.membershipCount()
        logger.info(
            "DingTalk directory read",
            metadata: [
                "departments": "\(groups.count)", "users": "\(seen.count)", "memberships": "\(memberships)",
            ])
        return reader
    }

    /// The department tree (``departmentTree(_:)``), each id yielded to `found` as it is found; `found`
    /// ends with the tree (or with its error).
    private func departmentTree(
        reporting found: AsyncThrowingStream<Int64, any Error>.Continuation
    ) async throws -> [(object: SCIMObject, parent: Int64)] {
        do {
            let all = try await departmentTree { found.yield($0) }
            found.finish()
            return all
        } catch {
            found.finish(throwing: error)
            throw error
        }
    }

    /// Every department under the root, parents before children, each with the department
    /// whose listing named it.
    private func departmentTree(_ found: (Int64) -> Void) async throws -> [(object: SCIMObject, parent: Int64)] {
        var all: [(object: SCIMObject, parent: Int64)] = []
        var known: Set<Int64> = [Self.root]
        var level = [Self.root]
        while !level.isEmpty {
            var next: [Int64] = []
            for parent in level {
                let answer = try await client.call(
                    api: Self.listsubAPI, path: Self.listsubPath, body: ["dept_id": .integer(parent)])
                guard case .array(let children)? = answer["result"] else {
                    throw DingTalkError.invalidAnswer(api: Self.listsubAPI, reason: "no \"result\" list")
                }
                for child in children.compactMap(\.objectValue) {
                    guard let id = DingTalkRecords.departmentID(child["dept_id"]) else {
                        throw DingTalkError.invalidAnswer(api: Self.listsubAPI, reason: "a department without a dept_id")
                    }
                    // A department named twice (or under itself) would hold the read for ever.
                    guard known.insert(id).inserted else { continue }
                    all.append((child, parent))
                    next.append(id)
                    found(id)
                }
            }
            level = next
        }
        return all
    }

    /// Every user a department's listing holds, page by page.
    private func forEachPage(of department: Int64, _ body: (SCIMObject) throws -> Void) async throws {
        var cursor: Int64 = 0
        var pages = 0
        while true {
            let answer = try await client.call(
                api: Self.userListAPI, path: Self.userListPath,
                body: ["dept_id": .integer(department), "cursor": .integer(cursor), "size": .integer(Int64(pageSize))])
            guard let result = answer["result"]?.objectValue else {
                throw DingTalkError.invalidAnswer(api: Self.userListAPI, reason: "no \"result\" object")
            }
            for user in result["list"]?.arrayValue?.compactMap(\.objectValue) ?? [] { try body(user) }
            pages += 1
            guard result["has_more"]?.boolValue == true else { return }
            guard case .integer(let next)? = result["next_cursor"], next > cursor else {
                throw DingTalkError.invalidAnswer(api: Self.userListAPI, reason: "has_more without a next_cursor past \(cursor)")
            }
            // A platform answering has_more for ever would hold the pass for ever.
            if pages > 1_000_000 { throw DingTalkError.invalidAnswer(api: Self.userListAPI, reason: "more than a million pages") }
            cursor = next
        }
    }
}
