import Connectors
import Directory
import Logging
import SCIM

/// Writes a directory into a DingTalk organisation through the topapi endpoints, as an
/// enterprise internal app with the contact write permission: users (`topapi/v2/user/*`),
/// departments (`topapi/v2/department/*`) and memberships (each user's `dept_id_list`, which
/// "更新用户信息" replaces as a whole).
///
/// Every operation is idempotent, so a replayed batch changes nothing more: a create of a user
/// or department scimsync already has brings it into line; a create whose answer was lost is
/// recognised on replay (60102 "UserID在公司中已存在": the user is read and updated; 60008
/// "父部门下该部门名称已存在": the department is found with `listsub` and taken over); a delete
/// of something already gone succeeds.
///
/// DingTalk's refusal of one object (a mobile or e-mail another user has, a name with a
/// forbidden character, more than 100 departments...) refuses that operation alone, with
/// DingTalk's code and message: the pipeline quarantines the resource and goes on. Token
/// expiry and rate limits are the client's (``DingTalkClient``); DingTalk unreachable, a
/// server error, refused credentials or scope make the batch throw, and it is tried again.
public final class DingTalkTarget: Sendable {
    let client: DingTalkClient
    let ids: any ChatTargetIDMap
    let settings: DingTalkTargetConfig
    /// Take over a DingTalk object that matches a source resource (a user with its userid, a
    /// department with its name under its parent) that scimsync did not create.
    let adopt: Bool
    let users: RowMapper
    let groups: RowMapper
    let logger: Logger

    static let userCreate = (api: "dingtalk.oapi.v2.user.create", path: "/topapi/v2/user/create")
    static let userUpdate = (api: "dingtalk.oapi.v2.user.update", path: "/topapi/v2/user/update")
    static let userDelete = (api: "dingtalk.oapi.v2.user.delete", path: "/topapi/v2/user/delete")
    static let userGet = (api: "dingtalk.oapi.v2.user.get", path: "/topapi/v2/user/get")
    static let departmentCreate = (api: "dingtalk.oapi.v2.department.create", path: "/topapi/v2/department/create")
    static let departmentUpdate = (api: "dingtalk.oapi.v2.department.update", path: "/topapi/v2/department/update")
    static let departmentDelete = (api: "dingtalk.oapi.v2.department.delete", path: "/topapi/v2/department/delete")
    static let departmentGet = (api: "dingtalk.oapi.v2.department.get", path: "/topapi/v2/department/get")

    /// "创建用户" / "更新用户信息": a user belongs to 100 departments at most (60110).
    public static let maxDepartmentsPerUser = 100

    /// - Parameters:
    ///   - ids: DingTalk's ids of scimsync's objects, and its ownership ledger.
    ///   - adopt: take over objects scimsync did not create (the pipeline's `adopt`).
    public init(client: DingTalkClient, ids: any ChatTargetIDMap, settings: DingTalkTargetConfig, adopt: Bool, logger: Logger) {
        self.client = client
        self.ids = ids
        self.settings = settings
        self.adopt = adopt
        users = RowMapper(kind: .user, table: "DingTalk users", attributes: settings.users)
        groups = RowMapper(kind: .group, table: "DingTalk departments", attributes: settings.groups)
        self.logger = logger
    }

    /// Applies `ops` in order: runs of member changes gathered per user (one `dept_id_list`
    /// update each), department creates parents first, department deletes children first.
    /// - Throws: a ``DingTalkError`` the batch cannot go on after, or the id map's error.
    public func apply(_ ops: [ResourceOp]) async throws -> ChatTargetReport {
        var report = ChatTargetReport()
        let ordered = Self.parentsFirst(ops)
        // Where the batch moves each group: a department is created under its parent at once
        // when the parent is known, so that two departments of one name under different
        // parents never meet under the root.
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
            } catch let error as DingTalkError where error.refusesTheObject {
                refuse(op, error, &report)
            } catch let error as RowMappingError {
                // A source value DingTalk's text fields cannot hold: this resource alone.
                refuse(op, reason: "\(error)", &report)
            } catch let error as SCIMError {
                // A PATCH that does not apply to the object as DingTalk has it.
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

    /// Department deletes DingTalk refused for sub-departments (60006) that the batch also
    /// deletes: tried again after the others, children first, while any succeeds.
    private func retryDeferredDeletes(_ deferred: [String], _ report: inout ChatTargetReport) async throws {
        var waiting = deferred
        while !waiting.isEmpty {
            var still: [String] = []
            for id in waiting {
                do {
                    if try await !deleteDepartment(id, &report) { still.append(id) }
                } catch let error as DingTalkError where error.refusesTheObject {
                    refuse(.delete(.group, id: id), error, &report)
                }
            }
            if still.count == waiting.count {
                for id in still {
                    report.refused.append(
                        .init(
                            subject: .group(id),
                            reason: "DingTalk keeps a department with sub-departments (errcode 60006): "
                                + "its sub-departments are not the source's to delete"))
                }
                return
            }
            waiting = still
        }
    }

    /// Records DingTalk's refusal of `op`'s object.
    func refuse(_ op: ResourceOp, _ error: DingTalkError, _ report: inout ChatTargetReport) {
        refuse(op, reason: error.description, &report)
    }

    /// Records that `op`'s object cannot be written, for `reason` (never a value of it).
    func refuse(_ op: ResourceOp, reason: String, _ report: inout ChatTargetReport) {
        report.refused.append(.init(subject: QuarantineSubject(op), reason: reason))
        logger.error(
            "DingTalk target refused an operation; its resource is quarantined",
            metadata: ["op": "\(ChatTargetOps.label(op))", "reason": "\(reason)"])
    }

    /// `ops` with each run of department creates and patches ordered so that a department the
    /// batch also moves under another one it creates comes after that one.
    static func parentsFirst(_ ops: [ResourceOp]) -> [ResourceOp] {
        var parents: [String: String] = [:]
        for op in ops {
            if case .moveParent(let group, let parent?) = op { parents[group] = parent }
        }
        guard !parents.isEmpty else { return ops }
        var creates: Set<String> = []
        for op in ops {
            if case .create(.group, let resource) = op, let id = resource.id { creates.insert(id) }
        }
        func depth(_ id: String) -> Int {
            var depth = 0
            var seen: Set<String> = [id]
            var walk = id
            while let parent = parents[walk], creates.contains(parent), seen.insert(parent).inserted {
                depth += 1
                walk = parent
            }
            return depth
        }
        var result: [ResourceOp] = []
        var run: [ResourceOp] = []
        func flush() {
            result += run.enumerated().sorted { lhs, rhs in
                let left = lhs.element.createdGroupID.map(depth) ?? 0
                let right = rhs.element.createdGroupID.map(depth) ?? 0
                return (left, lhs.offset) < (right, rhs.offset)
            }.map(\.element)
            run.removeAll()
        }
        for op in ops {
            if op.createdGroupID != nil {
                run.append(op)
            } else {
                flush()
                result.append(op)
            }
        }
        flush()
        return result
    }

    /// A source resource's mapped fields as DingTalk takes them: text, or nil for no value.
    func fields(_ resource: SCIMResource, _ mapper: RowMapper) throws -> [(field: String, value: String?)] {
        let row = try mapper.row(from: resource, columnTypes: [:])
        return zip(row.columns, row.values).compactMap { column, value in
            column == mapper.idColumn ? nil : (column, value.dingTalkText)
        }
    }

    /// One topapi call of a write or read endpoint, through the app's client.
    func call(_ endpoint: (api: String, path: String), _ body: SCIMObject) async throws -> SCIMObject {
        try await client.call(api: endpoint.api, path: endpoint.path, body: .object(body))
    }
}

extension DingTalkError {
    /// Whether DingTalk refused one object of the request (its values, its place in the tree)
    /// rather than the app (token, scope, whitelist, limits) or the call: 40035 (a parameter
    /// missing, e.g. a user without a mobile), 400002 (a parameter invalid), and the contact
    /// codes 600xx and 601xx of the error table, except 60011 (the app has no rights over the
    /// object: its contact scope) and 60020 (this server's address is not whitelisted).
    var refusesTheObject: Bool {
        guard case .refused(_, let code, _, _, _) = self else { return false }
        if code == 40035 || code == 400002 { return true }
        return (60001...60199).contains(code) && code != 60011 && code != 60020
    }

    /// DingTalk's `errcode` when it refused the call.
    var code: Int? {
        if case .refused(_, let code, _, _, _) = self { return code }
        return nil
    }
}

extension SQLValue {
    /// The value as the text DingTalk's fields take; nil for no value.
    var dingTalkText: String? {
        switch self {
        case .null: nil
        case .text(let text), .decimal(let text), .json(let text): text.isEmpty ? nil : text
        case .bool(let flag): flag ? "true" : "false"
        case .int(let number): String(number)
        case .uint(let number): String(number)
        case .double(let number): String(number)
        default: "\(self)"
        }
    }
}

extension ResourceOp {
    var isMemberChange: Bool {
        switch self {
        case .addMember, .removeMember: true
        case .create, .patch, .delete, .deactivate, .reactivate, .moveParent: false
        }
    }

    var createdGroupID: String? {
        if case .create(.group, let resource) = self { return resource.id }
        return nil
    }
}
