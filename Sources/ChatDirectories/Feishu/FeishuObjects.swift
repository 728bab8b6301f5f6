import Connectors
import Reconcile
import SCIM

/// One Feishu user or department by id, mapped as the full read maps it
/// (``FeishuDirectoryRead``, the tenant's own id types `user_id` and `department_id`):
/// `GET /open-apis/contact/v3/users/:user_id` (the user with its `department_ids`) and
/// `GET /open-apis/contact/v3/departments/:department_id` (the department with its
/// `parent_department_id`), through the app's client (its token, pacer and rate-limit retries).
///
/// Feishu's codes: 40015 "department not exist" says a department is gone; 41050 "no user
/// authority error" answers both a deleted user and one outside the app's range ("用户不在
/// 应用的通讯录权限范围内或已被删除"), and a user is taken as gone by it (or a deleted user would
/// never be removed by its event); 40004 "no dept authority error" says a department is
/// outside the range.
public struct FeishuObjects: PlatformObjects {
    let client: FeishuClient
    let records: FeishuRecords

    static let userAPI = "contact.v3.user.get"
    static let departmentAPI = "contact.v3.department.get"
    static let userGone = 41050
    static let departmentNotFound = 40015
    static let departmentOutOfRange = 40004
    private static let idTypes = [("department_id_type", "department_id"), ("user_id_type", "user_id")]

    public init(client: FeishuClient, settings: FeishuSourceConfig) {
        self.client = client
        records = FeishuRecords(users: settings.users, groups: settings.groups)
    }

    public var platform: String { "Feishu" }

    public func user(_ id: String) async throws -> FetchedObject<FetchedUser> {
        let answer = try await fetch(
            Self.userAPI, "/open-apis/contact/v3/users/\(PlatformURL.pathSegment(id))", key: "user", gone: Self.userGone)
        guard case .found(let user) = answer else { return answer.absence() }
        let resource = try records.users.resource(from: FeishuRecords.row(user, fields: records.users))
        var departments: [String] = []
        for department in user["department_ids"]?.arrayValue?.compactMap(\.stringValue) ?? []
        where department != FeishuDirectoryRead.root && !department.isEmpty && !departments.contains(department) {
            departments.append(department)
        }
        let userID = FeishuRecords.id(user, own: "user_id", open: "open_id") ?? id
        return .found(FetchedUser(entry: DirectoryEntry(id: userID, resource: resource), departments: departments))
    }

    public func department(_ id: String) async throws -> FetchedObject<DirectoryEntry> {
        // The root is no group.
        guard id != FeishuDirectoryRead.root else { return .gone }
        let answer = try await fetch(
            Self.departmentAPI, "/open-apis/contact/v3/departments/\(PlatformURL.pathSegment(id))", key: "department",
            gone: Self.departmentNotFound)
        guard case .found(let department) = answer else { return answer.absence() }
        let resource = try records.groups.resource(from: FeishuRecords.row(department, fields: records.groups))
        let parent = department["parent_department_id"]?.stringValue
        return .found(DirectoryEntry(
            id: id, resource: resource, parentID: parent == FeishuDirectoryRead.root || parent == "" ? nil : parent))
    }

    /// The answer's object under `key`, or what Feishu's refusal says of the object.
    private func fetch(_ api: String, _ path: String, key: String, gone: Int) async throws -> FetchedObject<SCIMObject> {
        do {
            let data = try await FeishuConnector.translating { try await client.get(api: api, path: path, query: Self.idTypes) }
            guard let object = data[key]?.objectValue else {
                throw FeishuError.invalidAnswer(api: api, reason: "no \"\(key)\" object")
            }
            return .found(object)
        } catch FeishuError.refused(_, _, let code, _, _) where code == gone {
            return .gone
        } catch FeishuError.refused(_, _, Self.departmentOutOfRange, _, _) {
            return .outOfRange
        }
    }
}
