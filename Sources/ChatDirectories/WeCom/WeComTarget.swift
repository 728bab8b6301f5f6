import Connectors
import Directory
import Logging
import SCIM

/// Writes a directory into a WeCom corp: users (`user/create|update|delete`), departments
/// (`department/create|update|delete`) and memberships (each user's `department` list, which
/// 更新成员 replaces as a whole), with the contact-sync secret (全局错误码 48002: "写通讯录接口，只能
/// 由通讯录同步助手的access_token来调用"); what is there is read with the app's secret (`user/get`,
/// `department/get`, `department/list`, `user/list`), which the contact-sync secret may no
/// longer call from an IP trusted since 2022-08-15.
///
/// Every operation is idempotent, so a replayed batch changes nothing more: a create of a user
/// or department scimsync already has brings it into line; a create whose answer was lost is
/// recognised on replay (60102 "userid existed": the user is read and updated; 60008
/// "department existed": the department is looked up under its parent and taken over); a
/// delete of something already gone succeeds.
///
/// WeCom's refusal of one object (a mobile or e-mail another member has, a name with a
/// forbidden character, a tree deeper than 15 levels, more than 100 departments...) refuses that
/// operation alone, with WeCom's code and message: the pipeline quarantines the resource and
/// goes on. Token expiry and frequency limits are the client's (``WeComClient``); WeCom
/// unreachable, busy, refused credentials or a secret without the right make the batch throw,
/// and it is tried again.
public final class WeComTarget: ChatDirectoryTarget {
    let client: WeComClient
    let ids: any ChatTargetIDMap
    let settings: WeComTargetConfig
    /// Take over a WeCom object that matches a source resource (a user with its userid, a
    /// department with its name under its parent) that scimsync did not create.
    let adopt: Bool
    let users: RowMapper
    let groups: RowMapper
    let logger: Logger

    static let userCreate = "user/create"
    static let userUpdate = "user/update"
    static let userDelete = "user/delete"
    static let userGet = "user/get"
    static let departmentCreate = "department/create"
    static let departmentUpdate = "department/update"
    static let departmentDelete = "department/delete"

    /// 创建成员: "成员所属部门id列表，不超过100个" (60110).
    public static let maxDepartmentsPerUser = 100
    /// 读取成员: "userid not found".
    static let userNotFound = 60111

    /// - Parameters:
    ///   - ids: WeCom's ids of scimsync's objects, and its ownership ledger.
    ///   - adopt: take over objects scimsync did not create (the pipeline's `adopt`).
    public init(client: WeComClient, ids: any ChatTargetIDMap, settings: WeComTargetConfig, adopt: Bool, logger: Logger) {
        self.client = client
        self.ids = ids
        self.settings = settings
        self.adopt = adopt
        users = RowMapper(kind: .user, table: "WeCom members", attributes: settings.users)
        groups = RowMapper(kind: .group, table: "WeCom departments", attributes: settings.groups)
        self.logger = logger
    }

    /// Applies `ops` in order: runs of member changes gathered per user (one `department`
    /// update each), department creates parents first, department deletes children first.
    /// - Throws: a ``WeComError`` the batch cannot go on after, or the id map's error.
    public func apply(_ ops: [ResourceOp]) async throws -> ChatTargetReport {
        var report = ChatTargetReport()
        let ordered = ChatTargetOps.parentsFirst(ops)
        let plannedParents = ChatTargetOps.plannedParents(ordered)
        var deferredDeletes: [String] = []
        var index = 0
        while index < ordered.count {
            if ChatTargetOps.isMemberChange(ordered[index]) {
                var end = index
                while end < ordered.count, ChatTargetOps.isMemberChange(ordered[end]) { end += 1 }
                try await applyMemberChanges(ordered[index..<end], &report)
                index = end
                continue
            }
            let op = ordered[index]
            index += 1
            do {
                try await applyOne(op, plannedParents: plannedParents, deferredDeletes: &deferredDeletes, &report)
            } catch let error as WeComError where error.refusesTheObject {
                refuse(op, error, &report)
            } catch let error as RowMappingError {
                // A source value WeCom's text fields cannot hold: this resource alone.
                refuse(op, reason: "\(error)", &report)
            } catch let error as SCIMError {
                // A PATCH that does not apply to the object as WeCom has it.
                refuse(op, reason: "\(error)", &report)
            }
        }
        try await retryDeferredDeletes(deferredDeletes, &report)
        return report
    }

    public func managedCount() throws -> Int {
        try ids.count(.user) + ids.count(.group)
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
            try await setEnabled(false, id, op, &report)
        case .reactivate(let id):
            try await setEnabled(true, id, op, &report)
        case .moveParent(let group, let parent):
            try await moveDepartment(group, under: parent, op, &report)
        case .addMember, .removeMember:
            try await applyMemberChanges([op][...], &report)
        }
    }

    /// Department deletes WeCom refused for sub-departments (60006) that the batch also
    /// deletes: tried again after the others, children first, while any succeeds.
    private func retryDeferredDeletes(_ deferred: [String], _ report: inout ChatTargetReport) async throws {
        var waiting = deferred
        while !waiting.isEmpty {
            var still: [String] = []
            for id in waiting {
                do {
                    if try await !deleteDepartment(id, &report) { still.append(id) }
                } catch let error as WeComError where error.refusesTheObject {
                    refuse(.delete(.group, id: id), error, &report)
                }
            }
            if still.count == waiting.count {
                for id in still {
                    report.refused.append(
                        .init(
                            subject: .group(id),
                            reason: "WeCom keeps a department with sub-departments (errcode 60006): "
                                + "its sub-departments are not the source's to delete"))
                }
                return
            }
            waiting = still
        }
    }

    /// Records WeCom's refusal of `op`'s object.
    func refuse(_ op: ResourceOp, _ error: WeComError, _ report: inout ChatTargetReport) {
        refuse(op, reason: error.description, &report)
    }

    /// Records that `op`'s object cannot be written, for `reason` (never a value of it).
    func refuse(_ op: ResourceOp, reason: String, _ report: inout ChatTargetReport) {
        report.refused.append(.init(subject: QuarantineSubject(op), reason: reason))
        logger.error(
            "WeCom target refused an operation; its resource is quarantined",
            metadata: ["op": "\(ChatTargetOps.label(op))", "reason": "\(reason)"])
    }

    /// A source resource's mapped fields as WeCom takes them: text, or nil for no value.
    func fields(_ resource: SCIMResource, _ mapper: RowMapper) throws -> [(field: String, value: String?)] {
        let row = try mapper.row(from: resource, columnTypes: [:])
        return zip(row.columns, row.values).compactMap { column, value in
            column == mapper.idColumn ? nil : (column, value.platformFieldText)
        }
    }

    /// A write (`POST` with a JSON body) with the contact-sync secret.
    @discardableResult
    func write(_ api: String, _ body: SCIMObject) async throws -> SCIMObject {
        try await client.call(.POST, api: api, secret: .contactSync, body: .object(body))
    }

    /// A delete (`GET ?name=value`) with the contact-sync secret.
    func delete(_ api: String, _ name: String, _ value: String) async throws {
        _ = try await client.call(api: api, secret: .contactSync, query: [(name, value)])
    }

    /// A read (`GET`) with the app's secret.
    func read(_ api: String, _ query: [(String, String)]) async throws -> SCIMObject {
        try await client.call(api: api, secret: .app, query: query)
    }

    /// An object scimsync had is no longer in WeCom (deleted there): forgotten, so that the
    /// next reconciliation creates it again.
    func gone(_ id: String, _ kind: ResourceKind, _ op: ResourceOp, _ report: inout ChatTargetReport) throws {
        try ids.forget(id, kind: kind)
        report.skip(op, "gone from WeCom")
        logger.warning("resource gone from WeCom; forgotten", metadata: ["op": "\(ChatTargetOps.label(op))"])
    }
}

extension WeComError {
    /// Whether WeCom refused one object of the request (its values, its place in the tree)
    /// rather than the secret (48002, 60011 rights; 60020 the IP), the token or the call:
    /// 40003 (an invalid userid), 40058 (a parameter invalid), 40066 (a department list
    /// invalid), 41019 (no department), 81002 (deeper than 15 levels), and the contact codes
    /// 600xx and 601xx of the error table except 60011 and 60020.
    var refusesTheObject: Bool {
        guard case .refused(_, _, let code, _) = self else { return false }
        if [40003, 40058, 40066, 41019, 81002].contains(code) { return true }
        return (60001...60199).contains(code) && code != 60011 && code != 60020
    }

    /// WeCom's `errcode` when it refused the call.
    var code: Int? {
        if case .refused(_, _, let code, _) = self { return code }
        return nil
    }
}
