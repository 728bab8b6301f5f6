import Directory
import SCIM

/// What the shared membership logic (``ChatPlatformWriter/applyMemberChanges(_:_:)``) needs of
/// Feishu: a user's `department_ids`, which "修改用户部分信息" replaces as a whole.
extension FeishuTarget {
    func departments(of user: SCIMObject) -> [String] {
        Self.departments(of: user)
    }

    func setDepartments(_ departments: [String], ofUser userID: String) async throws {
        try await call(.PATCH, Self.userPatch, Self.userPath(userID), ["department_ids": .array(departments.map { .string($0) })])
    }
}
