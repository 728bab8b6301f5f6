/// The fields of DingTalk's user and department objects that an attribute map may name (a
/// leading `!` negates a boolean: `"!hide_mobile"`), from the objects `topapi/v2/user/list`
/// and `topapi/v2/department/listsub` answer.
///
/// `listed` is scimsync's, not DingTalk's: true for every user a listing holds. DingTalk lists
/// the organisation's current members only (who leaves is deleted, there is no disabled state
/// to read), so a listed user is an active one: `active: listed`.
///
/// A listing's `dept_order` and `leader` are left out: they belong to the department being
/// listed, so a user in two departments would carry whichever listing came first.
enum DingTalkFields {
    static let user = [
        "userid", "unionid", "name", "avatar", "state_code", "mobile", "telephone", "job_number", "title", "email",
        "org_email", "work_place", "remark", "extension",
    ]
    static let userBooleans = ["listed", "active", "admin", "boss", "hide_mobile", "exclusive_account"]
    /// The field every listed user has, true.
    static let listed = "listed"
    static let department = ["dept_id", "name", "parent_id"]
    static let departmentBooleans = ["create_dept_group", "auto_add_user"]

    /// Why `reference` is not a field of users (or of departments, `groups`), or nil when it
    /// is one.
    static func problem(_ reference: String, groups: Bool) -> String? {
        let plain = groups ? department : user
        let booleans = groups ? departmentBooleans : userBooleans
        if reference.hasPrefix("!") {
            let field = String(reference.dropFirst())
            if booleans.contains(field) { return nil }
            return "\"!\" negates a boolean field (\(booleans.joined(separator: ", "))); \"\(field)\" is not one"
        }
        if plain.contains(reference) || booleans.contains(reference) { return nil }
        return "not a DingTalk \(groups ? "department" : "user") field; known: \((plain + booleans).joined(separator: ", "))"
    }
}
