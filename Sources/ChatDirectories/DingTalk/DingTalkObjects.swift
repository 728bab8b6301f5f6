import Connectors
import Reconcile
import SCIM

/// One DingTalk user or department by id, mapped as the full read maps it
/// (``DingTalkDirectoryRead``): `topapi/v2/user/get` (the user with its `dept_id_list`) and
/// `topapi/v2/department/get` (the department with its `parent_id`), through the app's client
/// (its token, pacer and rate-limit retries).
///
/// DingTalk's codes: 60121 "找不到该用户" and 60003 "部门不存在" say the object is gone; 60011
/// (no rights over it) and 50002/50004 (user or department outside the app's range,
/// "不在权限范围") say it is outside the app's visible range.
public struct DingTalkObjects: PlatformObjects {
    let client: DingTalkClient
    let records: DingTalkRecords

    static let userAPI = "dingtalk.oapi.v2.user.get"
    static let departmentAPI = "dingtalk.oapi.v2.department.get"
    static let userNotFound = 60121
    static let departmentNotFound = 60003
    static let outOfRangeCodes: Set<Int> = [60011, 50002, 50004]

    public init(client: DingTalkClient, settings: DingTalkSourceConfig) {
        self.client = client
        records = DingTalkRecords(users: settings.users, groups: settings.groups)
    }

    public var platform: String { "DingTalk" }

    public func user(_ id: String) async throws -> FetchedObject<FetchedUser> {
        let answer = try await fetch(Self.userAPI, "/topapi/v2/user/get", ["userid": .string(id)], gone: Self.userNotFound)
        guard case .found(let user) = answer else { return answer.absence() }
        let resource = try records.users.resource(from: DingTalkRecords.row(user, fields: records.users))
        let departments = (user["dept_id_list"]?.arrayValue ?? []).compactMap { DingTalkRecords.departmentID($0) }
            .filter { $0 != DingTalkDirectoryRead.root }.map { String($0) }
        return .found(FetchedUser(entry: DirectoryEntry(id: id, resource: resource), departments: departments))
    }

    public func department(_ id: String) async throws -> FetchedObject<DirectoryEntry> {
        // The root is no group, and a non-numeric id names no DingTalk department.
        guard let number = Int64(id), number != DingTalkDirectoryRead.root else { return .gone }
        let answer = try await fetch(
            Self.departmentAPI, "/topapi/v2/department/get", ["dept_id": .integer(number)], gone: Self.departmentNotFound)
        guard case .found(let department) = answer else { return answer.absence() }
        let resource = try records.groups.resource(from: DingTalkRecords.row(department, fields: records.groups))
        let parent = DingTalkRecords.departmentID(department["parent_id"])
            .flatMap { $0 == DingTalkDirectoryRead.root ? nil : String($0) }
        return .found(DirectoryEntry(id: id, resource: resource, parentID: parent))
    }

    /// The answer's `result`, or what DingTalk's refusal says of the object.
    private func fetch(_ api: String, _ path: String, _ body: SCIMObject, gone: Int) async throws -> FetchedObject<SCIMObject> {
        do {
            let answer = try await DingTalkConnector.translating {
                try await client.call(api: api, path: path, body: .object(body))
            }
            guard let result = answer["result"]?.objectValue else {
                throw DingTalkError.invalidAnswer(api: api, reason: "no \"result\" object")
            }
            return .found(result)
        } catch DingTalkError.refused(_, let code, let subCode, _, _) where code == gone || subCode == String(gone) {
            return .gone
        } catch DingTalkError.refused(_, let code, let subCode, _, _)
            where Self.outOfRangeCodes.contains(code) || subCode.flatMap(Int.init).map(Self.outOfRangeCodes.contains) == true
        {
            return .outOfRange
        }
    }
}
