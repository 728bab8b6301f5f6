import Connectors
import Directory
import Logging
import NIOHTTP1
import SCIM

/// Writes a directory into a Feishu tenant through contact v3, as a custom app (自建应用) with
/// the contact write permission: users (`/open-apis/contact/v3/users`), departments
/// (`/open-apis/contact/v3/departments`) and memberships (each user's `department_ids`, which
/// "修改用户部分信息" replaces as a whole). Every call names the tenant's own ids
/// (`user_id_type=user_id`, `department_id_type=department_id`), which scimsync chooses at
/// create time (``FeishuTargetID``).
///
/// Every operation is idempotent, so a replayed batch changes nothing more: a create of a user
/// or department scimsync already has brings it into line; a create whose answer was lost is
/// recognised on replay (41011 "userID already exist error", 43007 "duplicated department
/// custom id error": the object is read and updated); a delete of something already gone
/// succeeds.
///
/// Feishu's refusal of one object (a mobile or e-mail another user has, a name it does not
/// take, more than 50 departments...) refuses that operation alone, with Feishu's code and
/// message: the pipeline quarantines the resource and goes on. Token expiry and rate limits are
/// the client's (``FeishuClient``); Feishu unreachable, a server error, refused credentials or
/// a contact scope that leaves the object out make the batch throw, and it is tried again.
public final class FeishuTarget: Sendable {
    let client: FeishuClient
    let ids: any ChatTargetIDMap
    let settings: FeishuTargetConfig
    /// Take over a Feishu object with the id a source resource maps to that scimsync did not
    /// create.
    let adopt: Bool
    let users: RowMapper
    let groups: RowMapper
    let logger: Logger

    static let userCreate = "contact.v3.user.create"
    static let userPatch = "contact.v3.user.patch"
    static let userDelete = "contact.v3.user.delete"
    static let userGet = "contact.v3.user.get"
    static let departmentCreate = "contact.v3.department.create"
    static let departmentPatch = "contact.v3.department.patch"
    static let departmentDelete = "contact.v3.department.delete"
    static let departmentGet = "contact.v3.department.get"
    static let usersPath = "/open-apis/contact/v3/users"
    static let departmentsPath = "/open-apis/contact/v3/departments"
    /// Every call names the tenant's own ids, in its paths, bodies and answers.
    static let idTypes = [("user_id_type", "user_id"), ("department_id_type", "department_id")]

    /// "A user cannot belong to more than 50 departments" (41033).
    public static let maxDepartmentsPerUser = 50

    /// - Parameters:
    ///   - ids: Feishu's ids of scimsync's objects, and its ownership ledger.
    ///   - adopt: take over objects scimsync did not create (the pipeline's `adopt`).
    public init(client: FeishuClient, ids: any ChatTargetIDMap, settings: FeishuTargetConfig, adopt: Bool, logger: Logger) {
        self.client = client
        self.ids = ids
        self.settings = settings
        self.adopt = adopt
        users = RowMapper(kind: .user, table: "Feishu users", attributes: settings.users)
        groups = RowMapper(kind: .group, table: "Feishu departments", attributes: settings.groups)
        self.logger = logger
    }

    /// Applies `ops` in order: runs of member changes gathered per user (one `department_ids`
    /// update each), department creates parents first, department deletes children first.
    /// - Throws: a ``FeishuError`` the batch cannot go on after, or the id map's error.
    public func apply(_ ops: [ResourceOp]) async throws -> ChatTargetReport {
        var report = ChatTargetReport()
        let ordered = DingTalkTarget.parentsFirst(ops)
        // Where the batch moves each group: a department is created under its parent at once
        // when the parent is known, so that two departments of one name under different
        // parents never meet under the root (43022).
        var plannedParents: [String: String?] = [:]
        for op in ordered {
            if case .moveParent(let group, let parent) = op { plannedParents[group] = parent }
        }
        var deferredDeletes: [String] = []
        var index = 0
        while index < ordered.count {
            if ordered[index].isMemberChange {
                var end = index
                while end < ordered.count, ordered[end].isMemberChange { end += 1 }
                try await applyMemberChanges(ordered[index..<end], &report)
                index = end
                continue
            }
            let op = ordered[index]
            index += 1
            do {
                try await applyOne(op, plannedParents: plannedParents, deferredDeletes: &deferredDeletes, &report)
            } catch let error as FeishuError where error.refusesTheObject {
                refuse(op, error, &report)
            } catch let error as RowMappingError {
                // A source value Feishu's text fields cannot hold: this resource alone.
                refuse(op, reason: "\(error)", &report)
            } catch let error as SCIMError {
                // A PATCH that does not apply to the object as Feishu has it.
                refuse(op, reason: "\(error)", &report)
            }
        }
        try await retryDeferredDeletes(deferredDeletes, &report)
        return report
    }

    private func applyOne(
        _ op: ResourceOp, plannedParents: [String: String?], deferredDeletes: inout [String], _ report: inout ChatTargetReport
    ) async throws {
        switch op {
        case .create(.user, let resource):
            try await createUser(resource, &report)
        case .create(.group, let resource):
            try await createDepartment(resource, parent: plannedParents[resource.id ?? ""] ?? nil, &report)
        case .patch(.user, let id, let operations):
            try await patchUser(id, operations, op, &report)
        case .patch(.group, let id, let operations):
            try await patchDepartment(id, operations, op, &report)
        case .delete(.user, let id):
            try await deleteUser(id, &report)
        case .delete(.group, let id):
            if try await !deleteDepartment(id, &report) { deferredDeletes.append(id) }
        case .deactivate(let id):
            try await setActive(false, id, op, &report)
        case .reactivate(let id):
            try await setActive(true, id, op, &report)
        case .moveParent(let group, let parent):
            try await moveDepartment(group, under: parent, op, &report)
        case .addMember, .removeMember:
            try await applyMemberChanges([op][...], &report)
        }
    }

    /// Department deletes Feishu refused for sub-departments (43012 "delete has sub dept
    /// department error") that the batch also deletes: tried again after the others, children
    /// first, while any succeeds.
    private func retryDeferredDeletes(_ deferred: [String], _ report: inout ChatTargetReport) async throws {
        var waiting = deferred
        while !waiting.isEmpty {
            var still: [String] = []
            for id in waiting {
                do {
                    if try await !deleteDepartment(id, &report) { still.append(id) }
                } catch let error as FeishuError where error.refusesTheObject {
                    refuse(.delete(.group, id: id), error, &report)
                }
            }
            if still.count == waiting.count {
                for id in still {
                    report.refused.append(
                        .init(
                            subject: .group(id),
                            reason: "Feishu keeps a department with sub-departments (code 43012): "
                                + "its sub-departments are not the source's to delete"))
                }
                return
            }
            waiting = still
        }
    }

    /// Records Feishu's refusal of `op`'s object.
    func refuse(_ op: ResourceOp, _ error: FeishuError, _ report: inout ChatTargetReport) {
        refuse(op, reason: error.description, &report)
    }

    /// Records that `op`'s object cannot be written, for `reason` (never a value of it).
    func refuse(_ op: ResourceOp, reason: String, _ report: inout ChatTargetReport) {
        report.refused.append(.init(subject: QuarantineSubject(op), reason: reason))
        logger.error(
            "Feishu target refused an operation; its resource is quarantined",
            metadata: ["op": "\(ChatTargetOps.label(op))", "reason": "\(reason)"])
    }

    /// A source resource's mapped fields as Feishu takes them: text, or nil for no value.
    func fields(_ resource: SCIMResource, _ mapper: RowMapper) throws -> [(field: String, value: String?)] {
        let row = try mapper.row(from: resource, columnTypes: [:])
        return zip(row.columns, row.values).compactMap { column, value in
            column == mapper.idColumn ? nil : (column, value.dingTalkText)
        }
    }

    /// One contact v3 call with the tenant's own id types.
    @discardableResult
    func call(_ method: HTTPMethod, _ api: String, _ path: String, _ body: SCIMObject? = nil) async throws -> SCIMObject {
        try await client.call(method, api: api, path: path, query: Self.idTypes, body: body.map { .object($0) })
    }

    static func userPath(_ userID: String) -> String { usersPath + "/" + FeishuClient.pathSegment(userID) }
    static func departmentPath(_ departmentID: String) -> String {
        departmentsPath + "/" + FeishuClient.pathSegment(departmentID)
    }
}

extension FeishuError {
    /// Codes of contact v3's error tables that refuse one object of the request (its values,
    /// its place in the tree) rather than the app (token, permissions, contact scope) or the
    /// call. The generic 99992402 "field validation failed" is a value the gateway refuses.
    static let objectRefusals: Set<Int> = [
        // Users: 41001 "mobile has already exist error", 41002 "email has already exist
        // error", 41004 / 41005 a mobile / e-mail Feishu does not take, 41006 "no user name
        // error", 41009 "no email or mobile error", 41010 "no mobile error", 41011 "userID
        // already exist error", 41012 "user id invalid error", 41017 "department is required
        // error", 41030 "set leader to oneself error", 41033 more than 50 departments, 41059
        // "invalid employee type error", 41063 a job title over 100 characters, 41070 a name
        // over 64 characters, 40136 "update user's email and mobile empty is forbiden".
        41001, 41002, 41004, 41005, 41006, 41009, 41010, 41011, 41012, 41017, 41030, 41033, 41059, 41063, 41070, 40136,
        // Departments: 40002 "process root dept error", 40008 "dept Info is null error", 40013
        // a parent under the department itself, 40185 no parent, 43005 "duplicate order
        // error", 43007 "duplicated department custom id error", 43008 "custom dept id invalid
        // error", 43011 / 43012 members / sub-departments left, 43019 "exceed dept max level",
        // 43022 "department name duplicate", 43029 "dept name not contain separator".
        40002, 40008, 40013, 40185, 43005, 43007, 43008, 43011, 43012, 43019, 43022, 43029,
        99992402,
    ]

    /// Whether Feishu refused one object of the request, not the app or the call: an HTTP 4xx
    /// answer with one of ``objectRefusals``. 40004 "no dept authority error" and 41050 "no
    /// user authority error" (the contact scope leaves the object out) stop the batch: the
    /// app's range is the operator's to widen.
    var refusesTheObject: Bool {
        guard case .refused(_, let status, let code, _, _) = self, status < 500 else { return false }
        return Self.objectRefusals.contains(code)
    }

    /// Feishu's `code` when it refused the call.
    var code: Int? {
        if case .refused(_, _, let code, _, _) = self { return code }
        return nil
    }
}
