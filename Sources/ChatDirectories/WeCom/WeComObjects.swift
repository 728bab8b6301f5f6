import Connectors
import Reconcile
import SCIM

/// One WeCom member or department by id, mapped as the full read maps it
/// (``WeComDirectoryRead``), with the self-built app's secret: `cgi-bin/user/get` (读取成员,
/// the member with its `department` list) and `cgi-bin/department/get` (获取单个部门详情, the
/// department with its `parentid`), through the app's client (its tokens, pacer and
/// rate-limit retries).
///
/// WeCom's codes: 60111 "userid not found" and 60003 "department not found" say the object is
/// gone; 60011 "no privilege to access/modify contact/party/agent" says it is outside the
/// app's visible range (可见范围).
public struct WeComObjects: PlatformObjects {
    let client: WeComClient
    let records: WeComRecords

    static let userAPI = "user/get"
    static let departmentAPI = "department/get"
    static let userNotFound = 60111
    static let departmentNotFound = 60003
    static let outOfRange = 60011

    public init(client: WeComClient, settings: WeComSourceConfig) {
        self.client = client
        records = WeComRecords(users: settings.users, groups: settings.groups)
    }

    public var platform: String { "WeCom" }

    public func user(_ id: String) async throws -> FetchedObject<FetchedUser> {
        let answer = try await fetch(Self.userAPI, [("userid", id)], gone: Self.userNotFound)
        guard case .found(let user) = answer else { return answer.absence() }
        // The id as WeCom spells it: userids are matched ignoring case.
        let userID = user["userid"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? id
        let resource = try records.users.resource(from: WeComRecords.row(user, fields: records.users))
        var departments: [String] = []
        for department in user["department"]?.arrayValue?.compactMap({ WeComRecords.departmentID($0) }) ?? []
        where department != WeComDirectoryRead.root && !departments.contains(department) {
            departments.append(department)
        }
        return .found(FetchedUser(entry: DirectoryEntry(id: userID, resource: resource), departments: departments))
    }

    public func department(_ id: String) async throws -> FetchedObject<DirectoryEntry> {
        // The root is no group.
        guard id != WeComDirectoryRead.root else { return .gone }
        let answer = try await fetch(Self.departmentAPI, [("id", id)], gone: Self.departmentNotFound)
        guard case .found(let answered) = answer else { return answer.absence() }
        guard let department = answered["department"]?.objectValue else {
            throw WeComError.invalidAnswer(api: Self.departmentAPI, reason: "no \"department\" object")
        }
        let resource = try records.groups.resource(from: WeComRecords.row(department, fields: records.groups))
        let parent = WeComRecords.departmentID(department["parentid"]).flatMap { $0 == WeComDirectoryRead.root ? nil : $0 }
        return .found(DirectoryEntry(id: id, resource: resource, parentID: parent))
    }

    /// The whole answer, or what WeCom's refusal says of the object.
    private func fetch(_ api: String, _ query: [(String, String)], gone: Int) async throws -> FetchedObject<SCIMObject> {
        do {
            return .found(try await WeComConnector.translating { try await client.call(api: api, secret: .app, query: query) })
        } catch WeComError.refused(_, _, let code, _) where code == gone {
            return .gone
        } catch WeComError.refused(_, _, Self.outOfRange, _) {
            return .outOfRange
        }
    }
}
