import Directory
import SCIM

extension FeishuTarget {
    /// Create-or-overwrite by source id. A mapped user is read and brought into line (nothing
    /// is sent when it matches: a replay changes nothing); otherwise "创建用户" with the chosen
    /// `user_id`, the default department (memberships follow as member changes) and the
    /// configured `employee_type`, its intent recorded first. 41011 (the `user_id` is taken)
    /// is scimsync's own lost create when the intent was recorded before, or a user scimsync
    /// did not make: updated when ours or `adopt`, refused otherwise.
    func createUser(_ resource: SCIMResource, _ report: inout ChatTargetReport) async throws {
        let op = ResourceOp.create(.user, resource)
        guard let sourceID = resource.id else { return report.skip(op, "no id") }
        let desired = try fields(resource, users)
        let active = resource["active"]?.boolValue
        let entry = try ids.entry(sourceID, kind: .user)
        let userID: String
        if case .mapped(let mapped)? = entry {
            userID = mapped
            if try await convergeUser(userID, to: desired, active: active, &report) { return }
            // Deleted in Feishu behind scimsync's back: create it again.
        } else {
            userID = FeishuTargetID.forSourceID(sourceID)
        }
        if entry == nil { try ids.recordIntent(sourceID, kind: .user) }
        var body: SCIMObject = [
            "user_id": .string(userID), "department_ids": [.string(settings.defaultDepartment)],
            "employee_type": .integer(Int64(settings.employeeType)),
        ]
        for (field, value) in desired {
            if let value { body[field] = .string(field == "mobile" ? FeishuMobile.normalized(value) : value) }
        }
        if active == false { body["is_frozen"] = true }
        do {
            try await call(.POST, Self.userCreate, Self.usersPath, body)
            try ids.map(sourceID, to: userID, kind: .user)
            report.applied += 1
        } catch let error as FeishuError where error.code == 41011 {
            let ours = entry != nil
            guard ours || adopt else {
                try ids.forget(sourceID, kind: .user)
                throw error
            }
            try ids.map(sourceID, to: userID, kind: .user)
            report.adopted += 1
            if !ours {
                logger.info("adopted a Feishu user scimsync did not create", metadata: ["resource": "User \(sourceID)"])
            }
            try await convergeUser(userID, to: desired, active: active, &report)
        } catch let error as FeishuError where error.refusesTheObject {
            // Refused outright: nothing was created, nothing may be pending.
            if entry == nil { try ids.forget(sourceID, kind: .user) }
            throw error
        }
    }

    /// Reads the user and patches the mapped fields that differ (and `is_frozen` when `active`
    /// is given and differs); false when Feishu has no such user.
    @discardableResult
    func convergeUser(
        _ userID: String, to desired: [(field: String, value: String?)], active: Bool?, _ report: inout ChatTargetReport
    ) async throws -> Bool {
        guard let current = try await user(userID) else { return false }
        var body: SCIMObject = [:]
        for (field, value) in desired where !Self.same(field, value, in: current) {
            if let value {
                body[field] = .string(field == "mobile" ? FeishuMobile.normalized(value) : value)
            } else if field != "name" {
                // Feishu's "" is no value; a name cannot be emptied.
                body[field] = ""
            }
        }
        if let active, Self.isFrozen(current) == active { body["is_frozen"] = .bool(!active) }
        guard !body.isEmpty else { return true }
        try await call(.PATCH, Self.userPatch, Self.userPath(userID), body)
        report.applied += 1
        return true
    }

    /// Whether Feishu's `current` user holds `value` in `field`. A mobile compares as Feishu
    /// keeps it, "+<country code><number>": "+86 13800000000" and "13800000000" are the same.
    static func same(_ field: String, _ value: String?, in current: SCIMObject) -> Bool {
        let now = current[field]?.stringValue ?? ""
        guard let value else { return now.isEmpty }
        guard field == "mobile" else { return now == value }
        return FeishuMobile.normalized(value) == FeishuMobile.normalized(now)
    }

    static func isFrozen(_ user: SCIMObject) -> Bool {
        user["status"]?.objectValue?["is_frozen"]?.boolValue ?? false
    }

    /// `GET /open-apis/contact/v3/users/:user_id`'s `user`, or nil for 41050 (Feishu answers a
    /// deleted user so: "用户不在应用的通讯录权限范围内或已被删除").
    func user(_ userID: String) async throws -> SCIMObject? {
        do {
            let answer = try await call(.GET, Self.userGet, Self.userPath(userID))
            guard let user = answer["user"]?.objectValue else {
                throw FeishuError.invalidAnswer(api: Self.userGet, reason: "no \"user\" object")
            }
            return user
        } catch where (error as? FeishuError)?.code == FeishuObjects.userGone {
            return nil
        }
    }

    /// The `user_id` of a user scimsync manages in Feishu, or nil. A pending create (its answer
    /// lost) is looked up by the `user_id` it was sent with: found, it is mapped; absent, the
    /// entry is forgotten (the create never arrived).
    func userID(_ sourceID: String) async throws -> String? {
        try await resolve(sourceID, .user, sentAs: FeishuTargetID.forSourceID(sourceID)) { try await user($0) != nil }
    }

    /// A PATCH on a mapped user: the user read, mapped as reconciliation reads it, patched, and
    /// the fields that changed sent.
    func patchUser(_ id: String, _ operations: [PatchOperation], _ op: ResourceOp, _ report: inout ChatTargetReport)
        async throws
    {
        guard let userID = try await userID(id) else { return report.park(op, waitingFor: .user, id) }
        guard let current = try await user(userID) else { return try gone(id, .user, op, &report) }
        var resource = try users.resource(from: FeishuRecords.row(current, fields: users))
        resource.attributes["id"] = .string(id)
        resource.attributes["active"] = .bool(!Self.isFrozen(current))
        let patched = try resource.applying(operations)
        try await convergeUser(userID, to: try fields(patched, users), active: patched["active"]?.boolValue, &report)
    }

    /// "删除用户"; a user already gone is fine. Only users scimsync created are deleted.
    func deleteUser(_ id: String, _ report: inout ChatTargetReport) async throws {
        guard let entry = try ids.entry(id, kind: .user) else { return }
        let userID: String
        switch entry {
        case .mapped(let mapped): userID = mapped
        case .pending: userID = FeishuTargetID.forSourceID(id)
        }
        do {
            try await call(.DELETE, Self.userDelete, Self.userPath(userID))
            report.applied += 1
        } catch where (error as? FeishuError)?.code == FeishuObjects.userGone {}
        try ids.forget(id, kind: .user)
    }

    /// `onDelete: deactivate` and `active`: Feishu's `is_frozen` ("暂停使用"), set through
    /// "修改用户部分信息"; the user keeps its departments.
    func setActive(_ active: Bool, _ id: String, _ op: ResourceOp, _ report: inout ChatTargetReport) async throws {
        guard let userID = try await userID(id) else { return report.skip(op, "not scimsync's in Feishu") }
        guard let current = try await user(userID) else { return try gone(id, .user, op, &report) }
        guard Self.isFrozen(current) == active else { return }
        try await call(.PATCH, Self.userPatch, Self.userPath(userID), ["is_frozen": .bool(!active)])
        report.applied += 1
    }

    /// A user's `department_ids` (the tenant's own ids; the root is `0`).
    static func departments(of user: SCIMObject) -> [String] {
        (user["department_ids"]?.arrayValue ?? []).compactMap(\.stringValue).filter { !$0.isEmpty }
    }
}

/// A mobile number as Feishu keeps it: "+<country code><number>", without spaces or dashes; a
/// number without "+" is mainland China's ("创建用户": "中国大陆手机号可不带区号").
enum FeishuMobile {
    static func normalized(_ text: String) -> String {
        let compact = text.filter { !" -()\t".contains($0) }
        return compact.hasPrefix("+") ? compact : "+86" + compact
    }
}
