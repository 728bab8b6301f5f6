import Directory
import SCIM

extension WeComTarget {
    /// Create-or-overwrite by source id. A mapped user is read and brought into line (nothing
    /// is sent for the fields it already holds); otherwise 创建成员 with the chosen userid, the
    /// default department (memberships follow as member changes) and `enable` from `active`,
    /// its intent recorded first. 60102 (the userid is taken) is scimsync's own lost create when
    /// the intent was recorded before, or a member scimsync did not make: updated when ours or
    /// `adopt`, refused otherwise.
    func createUser(_ resource: SCIMResource, _ report: inout ChatTargetReport) async throws {
        let op = ResourceOp.create(.user, resource)
        guard let sourceID = resource.id else { return report.skip(op, "no id") }
        let desired = try fields(resource, users)
        let enable = resource["active"]?.boolValue
        let entry = try ids.entry(sourceID, kind: .user)
        let userid: String
        if case .mapped(let mapped)? = entry {
            userid = mapped
            if try await convergeUser(userid, to: desired, enable: enable, &report) { return }
            // Deleted in WeCom behind scimsync's back: create it again.
        } else {
            userid = WeComUserID.forSourceID(sourceID)
        }
        if entry == nil { try ids.recordIntent(sourceID, kind: .user) }
        var body: SCIMObject = ["userid": .string(userid), "department": [.integer(settings.defaultDepartment)]]
        for (field, value) in desired {
            if let value { body[field] = .string(value) }
        }
        if let enable { body["enable"] = .integer(enable ? 1 : 0) }
        do {
            try await write(Self.userCreate, body)
            try ids.map(sourceID, to: userid, kind: .user)
            report.applied += 1
        } catch let error as WeComError where error.code == 60102 {
            let ours = entry != nil
            guard ours || adopt else {
                try ids.forget(sourceID, kind: .user)
                throw error
            }
            try ids.map(sourceID, to: userid, kind: .user)
            report.adopted += 1
            if !ours {
                logger.info("adopted a WeCom member scimsync did not create", metadata: ["resource": "User \(sourceID)"])
            }
            _ = try await convergeUser(userid, to: desired, enable: enable, &report)
        } catch let error as WeComError where error.refusesTheObject {
            // Refused outright: nothing was created, nothing may be pending.
            if entry == nil { try ids.forget(sourceID, kind: .user) }
            throw error
        }
    }

    /// Reads the member and updates the mapped fields that differ; false when WeCom has no such
    /// member (60111).
    ///
    /// A field WeCom does not give the app (mobile and e-mail, withheld from apps made after
    /// 2022-06-20: "不再返回以下字段：头像、性别、手机、邮箱…") cannot be compared: a value the
    /// source has is sent (WeCom keeps it as it is when it is the same), or, under `before`,
    /// only when it differs from `before`'s (the PATCH changed it).
    @discardableResult
    func convergeUser(
        _ userid: String, to desired: [(field: String, value: String?)], enable: Bool?,
        before: [String: String?]? = nil, _ report: inout ChatTargetReport
    ) async throws -> Bool {
        guard let current = try await user(userid) else { return false }
        var body: SCIMObject = ["userid": .string(userid)]
        for (field, value) in desired {
            if current[field] == nil {
                if let before {
                    if let value, (before[field] ?? nil) != value { body[field] = .string(value) }
                } else if let value {
                    body[field] = .string(value)
                }
                continue
            }
            guard !Self.same(field, value, in: current) else { continue }
            if let value {
                body[field] = .string(value)
            } else if field != "name" {
                // WeCom's "" is no value; a name cannot be emptied.
                body[field] = ""
            }
        }
        if let enable, Self.isEnabled(current) != enable { body["enable"] = .integer(enable ? 1 : 0) }
        guard body.count > 1 else { return true }
        try await write(Self.userUpdate, body)
        report.applied += 1
        return true
    }

    /// Whether WeCom's `current` member holds `value` in `field`. A mobile compares as its
    /// country code and number: 创建成员 takes "13800000000" and "+86 13800000000" as one phone.
    static func same(_ field: String, _ value: String?, in current: SCIMObject) -> Bool {
        let now = WeComRecords.value(of: field, in: current).platformFieldText ?? ""
        guard let value else { return now.isEmpty }
        guard field == "mobile" else { return now == value }
        return DingTalkMobile(value) == DingTalkMobile(now)
    }

    /// `status`: "激活状态: 1=已激活，2=已禁用，4=未激活，5=退出企业": enabled unless 2 or 5.
    static func isEnabled(_ user: SCIMObject) -> Bool {
        guard case .integer(let status)? = user["status"] else { return true }
        return status != 2 && status != 5
    }

    /// 读取成员 with the app's secret, or nil for 60111.
    func user(_ userid: String) async throws -> SCIMObject? {
        do {
            return try await read(Self.userGet, [("userid", userid)])
        } catch where (error as? WeComError)?.code == Self.userNotFound {
            return nil
        }
    }

    /// The userid of a member scimsync manages in WeCom, or nil. A pending create (its answer
    /// lost) is looked up by the userid it was sent with: found, it is mapped; absent, the
    /// entry is forgotten (the create never arrived).
    func userID(_ sourceID: String) async throws -> String? {
        try await resolve(sourceID, .user, sentAs: WeComUserID.forSourceID(sourceID)) { try await user($0) != nil }
    }

    /// A PATCH on a mapped member: the member read, mapped as reconciliation reads it, patched,
    /// and the fields that changed sent (`active` as `enable`).
    func patchUser(_ id: String, _ operations: [PatchOperation], _ op: ResourceOp, _ report: inout ChatTargetReport)
        async throws
    {
        guard let userid = try await userID(id) else { return report.park(op, waitingFor: .user, id) }
        guard let current = try await user(userid) else { return try gone(id, .user, op, &report) }
        var resource = try users.resource(from: WeComRecords.row(current, fields: users))
        resource.attributes["id"] = .string(id)
        resource.attributes["active"] = .bool(Self.isEnabled(current))
        let before = Dictionary(try fields(resource, users).map { ($0.field, $0.value) }) { first, _ in first }
        let patched = try resource.applying(operations)
        let enable = patched["active"]?.boolValue
        guard try await convergeUser(userid, to: try fields(patched, users), enable: enable, before: before, &report) else {
            return try gone(id, .user, op, &report)
        }
    }

    /// 删除成员; a member already gone is fine. Only members scimsync created are deleted.
    func deleteUser(_ id: String, _ report: inout ChatTargetReport) async throws {
        guard let entry = try ids.entry(id, kind: .user) else { return }
        let userid: String
        switch entry {
        case .mapped(let mapped): userid = mapped
        case .pending: userid = WeComUserID.forSourceID(id)
        }
        do {
            try await delete(Self.userDelete, "userid", userid)
            report.applied += 1
        } catch where (error as? WeComError)?.code == Self.userNotFound {}
        try ids.forget(id, kind: .user)
    }

    /// `onDelete: deactivate` and its undoing: 更新成员 with `enable` ("启用/禁用成员。1表示启用
    /// 成员，0表示禁用成员"); the member keeps its departments.
    func setActive(_ active: Bool, _ id: String, _ op: ResourceOp, _ report: inout ChatTargetReport) async throws {
        guard let userid = try await userID(id) else { return report.skip(op, "not scimsync's in WeCom") }
        guard let current = try await user(userid) else { return try gone(id, .user, op, &report) }
        guard Self.isEnabled(current) != active else { return }
        try await write(Self.userUpdate, ["userid": .string(userid), "enable": .integer(active ? 1 : 0)])
        report.applied += 1
    }

    /// A member's `department` list.
    static func departments(of user: SCIMObject) -> [Int64] {
        (user["department"]?.arrayValue ?? []).compactMap { WeComRecords.departmentID($0).flatMap { Int64($0) } }
    }
}
