import Directory
import SCIM

/// What the shared membership logic (``ChatPlatformWriter/applyMemberChanges(_:_:)``) needs of
/// WeCom: a member's `department` list, which 更新成员 replaces as a whole.
extension WeComTarget {
    func departments(of user: SCIMObject) -> [Int64] {
        Self.departments(of: user)
    }

    func setDepartments(_ departments: [Int64], ofUser userID: String) async throws {
        try await write(Self.userUpdate, ["userid": .string(userID), "department": .array(departments.map { SCIMValue.integer($0) })])
    }
}
