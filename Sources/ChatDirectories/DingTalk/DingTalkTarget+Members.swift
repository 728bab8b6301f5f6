import Directory
import SCIM

/// What the shared membership logic (``ChatPlatformWriter/applyMemberChanges(_:_:)``) needs of
/// DingTalk: a user's `dept_id_list`, which "更新用户信息" replaces as a whole.
extension DingTalkTarget {
    /// The `dept_id` of a department scimsync created in DingTalk, or nil (a create whose answer
    /// was lost is resolved when the department itself is written again).
    func departmentID(_ sourceID: String) async throws -> Int64? {
        guard case .mapped(let mapped)? = try ids.entry(sourceID, kind: .group) else { return nil }
        return Int64(mapped)
    }

    func departments(of user: SCIMObject) -> [Int64] {
        Self.departments(of: user)
    }

    func setDepartments(_ departments: [Int64], ofUser userID: String) async throws {
        _ = try await call(Self.userUpdate, ["userid": .string(userID), "dept_id_list": .string(Self.list(departments))])
    }
}
