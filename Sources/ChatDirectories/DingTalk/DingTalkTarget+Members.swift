import Directory
import SCIM

/// What the shared membership logic (``ChatPlatformWriter/applyMemberChanges(_:_:)``) needs of
/// DingTalk: a user's `dept_id_list`, which "更新用户信息" replaces as a whole.
extension DingTalkTarget {
    func departments(of user: SCIMObject) -> [Int64] {
        Self.departments(of: user)
    }

    func setDepartments(_ departments: [Int64], ofUser userID: String) async throws {
        _ = try await call(Self.userUpdate, ["userid": .string(userID), "dept_id_list": .string(Self.list(departments))])
    }
}
