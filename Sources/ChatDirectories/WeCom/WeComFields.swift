/// The fields of WeCom's member and department objects that an attribute map may name: those
/// `user/list` (获取部门成员详情) and `department/list` (获取部门列表) answer, plus `enabled`, a
/// boolean scimsync derives from `status` (a leading `!` negates it: `"!enabled"`).
enum WeComFields {
    static let user = [
        "userid", "name", "alias", "position", "mobile", "email", "biz_mail", "telephone", "gender", "address",
        "avatar", "thumb_avatar", "qr_code", "open_userid", "main_department", "status", "department", "order",
        "is_leader_in_dept", "direct_leader", "external_position",
    ]
    /// What self-built apps made after 2022-06-20 no longer receive: "不再返回以下字段：头像、
    /// 性别、手机、邮箱、企业邮箱、员工个人二维码、地址" (获取部门成员详情, 读取成员).
    static let sensitiveUser: Set<String> = [
        "mobile", "gender", "email", "biz_mail", "avatar", "thumb_avatar", "qr_code", "address",
    ]
    /// `status`: "激活状态: 1=已激活，2=已禁用，4=未激活，5=退出企业"; `enabled` is true for 1 and 4
    /// (a member invited but not yet joined still has an account), false for 2 and 5.
    static let userBooleans = ["enabled"]
    static let department = ["id", "name", "name_en", "parentid", "order", "department_leader"]

    /// Why `reference` is not a field of users (or of departments, `groups`), or nil when it
    /// is one.
    static func problem(_ reference: String, groups: Bool) -> String? {
        let plain = groups ? department : user
        let booleans = groups ? [] : userBooleans
        if reference.hasPrefix("!") {
            let field = String(reference.dropFirst())
            if booleans.contains(field) { return nil }
            let known = booleans.isEmpty ? "departments have none" : booleans.joined(separator: ", ")
            return "\"!\" negates a boolean field (\(known)); \"\(field)\" is not one"
        }
        if plain.contains(reference) || booleans.contains(reference) { return nil }
        return "not a WeCom \(groups ? "department" : "member") field; known: \((plain + booleans).joined(separator: ", "))"
    }
}
