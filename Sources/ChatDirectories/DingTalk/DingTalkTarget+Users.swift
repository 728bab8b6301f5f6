import Foundation
import Directory
import SCIM

extension DingTalkTarget {
    /// Create-or-overwrite by source id. A mapped user is read and brought into line (nothing
    /// is sent when it matches: a replay changes nothing); otherwise "创建用户" with the
    /// chosen userid and the default department (memberships follow as member changes), its
    /// intent recorded first. 60102 (the userid is taken) is scimsync's own lost create when
    /// the intent was recorded before, or a user scimsync did not make: updated when ours or
    /// `adopt`, refused otherwise.
    func createUser(_ resource: SCIMResource, _ report: inout ChatTargetReport) async throws {
        let op = ResourceOp.create(.user, resource)
        guard let sourceID = resource.id else { return report.skip(op, "no id") }
        let desired = try fields(resource, users)
        let entry = try ids.entry(sourceID, kind: .user)
        let userid: String
        if case .mapped(let mapped)? = entry {
            userid = mapped
            if try await convergeUser(userid, to: desired, &report) {
                try await applyActive(resource, sourceID, &report)
                return
            }
            // Deleted in DingTalk behind scimsync's back: create it again.
        } else {
            userid = DingTalkUserID.forSourceID(sourceID)
        }
        if entry == nil { try ids.recordIntent(sourceID, kind: .user) }
        var body: SCIMObject = ["userid": .string(userid), "dept_id_list": .string(String(settings.defaultDepartment))]
        for (field, value) in desired {
            if let value { body[field] = .string(value) }
        }
        do {
            _ = try await call(Self.userCreate, body)
            try ids.map(sourceID, to: userid, kind: .user)
            report.applied += 1
        } catch let error as DingTalkError where error.code == 60102 {
            let ours = entry != nil
            guard ours || adopt else {
                try ids.forget(sourceID, kind: .user)
                throw error
            }
            try ids.map(sourceID, to: userid, kind: .user)
            report.adopted += 1
            if !ours {
                logger.info("adopted a DingTalk user scimsync did not create", metadata: ["resource": "User \(sourceID)"])
            }
            _ = try await convergeUser(userid, to: desired, &report)
        } catch let error as DingTalkError where error.refusesTheObject {
            // Refused outright: nothing was created, nothing may be pending.
            if entry == nil { try ids.forget(sourceID, kind: .user) }
            throw error
        }
        try await applyActive(resource, sourceID, &report)
    }

    /// A user the source creates or overwrites as inactive goes to the deactivated department.
    private func applyActive(_ resource: SCIMResource, _ sourceID: String, _ report: inout ChatTargetReport) async throws {
        if resource["active"] == .bool(false), settings.deactivatedDepartment != nil {
            try await setActive(false, sourceID, .deactivate(userID: sourceID), &report)
        }
    }

    /// Reads the user and updates the mapped fields that differ; false when DingTalk has no
    /// such user (60121).
    @discardableResult
    func convergeUser(_ userid: String, to desired: [(field: String, value: String?)], _ report: inout ChatTargetReport)
        async throws -> Bool
    {
        guard let current = try await user(userid) else { return false }
        var body: SCIMObject = ["userid": .string(userid)]
        for (field, value) in desired where !Self.same(field, value, in: current) {
            if let value {
                body[field] = .string(value)
            } else if !["name", "mobile"].contains(field) {
                // DingTalk's "" is no value; name and mobile cannot be emptied.
                body[field] = ""
            }
        }
        guard body.count > 1 else { return true }
        _ = try await call(Self.userUpdate, body)
        report.applied += 1
        return true
    }

    /// Whether DingTalk's `current` user holds `value` in `field`. A mobile compares as its
    /// country code and number: DingTalk answers `state_code` "86" and `mobile` "13800000000"
    /// for a number given as "+86 13800000000" or "13800000000".
    static func same(_ field: String, _ value: String?, in current: SCIMObject) -> Bool {
        let now = current[field]?.stringValue ?? ""
        guard let value else { return now.isEmpty }
        guard field == "mobile" else { return now == value }
        let code = current["state_code"]?.stringValue ?? ""
        return DingTalkMobile(value) == DingTalkMobile(code: code.isEmpty ? "86" : code, number: now)
    }

    /// `topapi/v2/user/get`'s `result`, or nil for 60121 ("找不到该用户").
    func user(_ userid: String) async throws -> SCIMObject? {
        do {
            let answer = try await call(Self.userGet, ["userid": .string(userid)])
            guard let result = answer["result"]?.objectValue else {
                throw DingTalkError.invalidAnswer(api: Self.userGet.api, reason: "no \"result\" object")
            }
            return result
        } catch where (error as? DingTalkError)?.code == DingTalkObjects.userNotFound {
            return nil
        }
    }

    /// The userid of a user scimsync manages in DingTalk, or nil. A pending create (its answer
    /// lost) is looked up by the userid it was sent with: found, it is mapped; absent, the
    /// entry is forgotten (the create never arrived).
    func userID(_ sourceID: String) async throws -> String? {
        try await resolve(sourceID, .user, sentAs: DingTalkUserID.forSourceID(sourceID)) { try await user($0) != nil }
    }

    /// A PATCH on a mapped user: the user read, mapped as reconciliation reads it, patched, and
    /// the fields that changed sent.
    func patchUser(_ id: String, _ operations: [PatchOperation], _ op: ResourceOp, _ report: inout ChatTargetReport)
        async throws
    {
        guard let userid = try await userID(id) else { return report.park(op, waitingFor: .user, id) }
        guard let current = try await user(userid) else { return try gone(id, .user, op, &report) }
        var resource = try users.resource(from: DingTalkRecords.row(current, fields: users))
        resource.attributes["id"] = .string(id)
        let patched = try resource.applying(operations)
        try await convergeUser(userid, to: try fields(patched, users), &report)
        if let active = patched["active"]?.boolValue, active != (resource["active"]?.boolValue ?? true) {
            try await setActive(active, id, op, &report)
        }
    }

    /// "删除用户"; a user already gone is fine. Only users scimsync created are deleted.
    func deleteUser(_ id: String, _ report: inout ChatTargetReport) async throws {
        guard let entry = try ids.entry(id, kind: .user) else { return }
        let userid: String
        switch entry {
        case .mapped(let mapped): userid = mapped
        case .pending: userid = DingTalkUserID.forSourceID(id)
        }
        do {
            _ = try await call(Self.userDelete, ["userid": .string(userid)])
            report.applied += 1
        } catch where (error as? DingTalkError)?.code == DingTalkObjects.userNotFound {}
        try ids.forget(id, kind: .user)
    }

    /// DingTalk has no disabled state (a user who leaves is deleted): a deactivated user keeps
    /// its account but belongs to the `deactivatedDepartment` alone, which the administrators
    /// keep out of everyone's sight and rights; reactivating takes it out of there (into the
    /// default department until its memberships come back).
    func setActive(_ active: Bool, _ id: String, _ op: ResourceOp, _ report: inout ChatTargetReport) async throws {
        guard let deactivated = settings.deactivatedDepartment else {
            report.refused.append(
                .init(
                    subject: .user(id),
                    reason: "DingTalk has no disabled state: set target.dingtalk.deactivatedDepartment to the dept_id "
                        + "deactivated users are moved to"))
            return
        }
        guard let userid = try await userID(id) else { return report.skip(op, "not scimsync's in DingTalk") }
        guard let current = try await user(userid) else { return try gone(id, .user, op, &report) }
        let now = Self.departments(of: current)
        var wanted: [Int64]
        if active {
            wanted = now.filter { $0 != deactivated }
            if wanted.isEmpty { wanted = [settings.defaultDepartment] }
        } else {
            wanted = [deactivated]
        }
        guard wanted != now else { return }
        _ = try await call(Self.userUpdate, ["userid": .string(userid), "dept_id_list": .string(Self.list(wanted))])
        report.applied += 1
    }

    /// A user's `dept_id_list`.
    static func departments(of user: SCIMObject) -> [Int64] {
        (user["dept_id_list"]?.arrayValue ?? []).compactMap { DingTalkRecords.departmentID($0) }
    }

    /// `dept_id_list` as "创建用户" documents it: ids joined by commas.
    static func list(_ departments: [Int64]) -> String {
        departments.map(String.init).joined(separator: ",")
    }

}

/// A mobile number as DingTalk keeps it: a country code and the number's digits. "创建用户":
/// mainland numbers as 11 digits, others as "+区号-号码".
struct DingTalkMobile: Hashable {
    var code: String
    var number: String

    init(code: String, number: String) {
        self.code = code
        self.number = number.filter(\.isNumber)
    }

    /// "+86 13800000000", "+852-91234567" or "13800000000" (mainland China).
    init(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("+") else {
            self.init(code: "86", number: trimmed)
            return
        }
        let rest = trimmed.dropFirst()
        let code = rest.prefix { $0.isNumber }
        self.init(code: String(code), number: String(rest.dropFirst(code.count)))
    }
}
