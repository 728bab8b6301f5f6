/// The fields of Feishu's contact v3 user and department objects that an attribute map may
/// name (a dot reaches inside an object: `status.is_frozen`; a leading `!` negates a boolean:
/// `active: "!status.is_frozen"`). From the objects the user and department APIs answer
/// (`reference/contact-v3/user/find_by_department`, `department/children`).
enum FeishuFields {
    static let user = [
        "user_id", "open_id", "union_id", "name", "en_name", "nickname", "email", "enterprise_email", "mobile",
        "job_title", "employee_no", "employee_type", "city", "country", "work_station", "gender", "join_time",
        "leader_user_id", "description", "time_zone",
    ]
    static let userBooleans = [
        "status.is_frozen", "status.is_resigned", "status.is_activated", "status.is_exited", "status.is_unjoin",
        "is_tenant_manager", "mobile_visible",
    ]
    static let department = [
        "department_id", "open_department_id", "name", "parent_department_id", "order", "leader_user_id", "member_count",
        "chat_id",
    ]
    static let departmentBooleans = ["status.is_deleted"]

    /// Why `reference` is not a field of `kind` (`users` or `groups`), or nil when it is one.
    static func problem(_ reference: String, groups: Bool) -> String? {
        let plain = groups ? department : user
        let booleans = groups ? departmentBooleans : userBooleans
        if reference.hasPrefix("!") {
            let field = String(reference.dropFirst())
            if booleans.contains(field) { return nil }
            return "\"!\" negates a boolean field (\(booleans.joined(separator: ", "))); \"\(field)\" is not one"
        }
        if plain.contains(reference) || booleans.contains(reference) { return nil }
        let known = plain + booleans
        return "not a Feishu \(groups ? "department" : "user") field; known: \(known.joined(separator: ", "))"
    }
}
