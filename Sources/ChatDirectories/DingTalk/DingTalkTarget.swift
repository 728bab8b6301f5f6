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
public final class DingTalkTarget: ChatPlatformWriter {
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

    static let platform = "DingTalk"
    /// "创建用户" / "更新用户信息": a user belongs to 100 departments at most (60110).
    public static let maxDepartmentsPerUser = 100
    static let tooManyDepartmentsCode = "errcode 60110"
    /// "删除部门": a department with sub-departments is kept (60006).
    static let subDepartmentsCode = "errcode 60006"

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

    var defaultDepartment: Int64 { settings.defaultDepartment }

    /// Applies `ops` in order (``ChatPlatformWriter/applyBatch(_:)``); what DingTalk refused
    /// or what waits comes back in the report.
    /// - Throws: a ``DingTalkError`` the batch cannot go on after, or the id map's error.
    public func apply(_ ops: [ResourceOp]) async throws -> ChatTargetReport {
        try await applyBatch(ops)
    }

    func refusal(_ error: any Error) -> String? {
        guard let error = error as? DingTalkError, error.refusesTheObject else { return nil }
        return error.description
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
