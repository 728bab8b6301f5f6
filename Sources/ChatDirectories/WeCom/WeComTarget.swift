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
public final class WeComTarget: ChatPlatformWriter {
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

    static let platform = "WeCom"
    /// 创建成员: "成员所属部门id列表，不超过100个" (60110).
    public static let maxDepartmentsPerUser = 100
    static let tooManyDepartmentsCode = "errcode 60110"
    /// 删除部门: a department with sub-departments is kept (60006).
    static let subDepartmentsCode = "errcode 60006"
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

    var defaultDepartment: Int64 { settings.defaultDepartment }

    /// Applies `ops` in order (``ChatPlatformWriter/applyBatch(_:)``); what WeCom refused
    /// or what waits comes back in the report.
    /// - Throws: a ``WeComError`` the batch cannot go on after, or the id map's error.
    public func apply(_ ops: [ResourceOp]) async throws -> ChatTargetReport {
        try await applyBatch(ops)
    }

    func refusal(_ error: any Error) -> String? {
        guard let error = error as? WeComError, error.refusesTheObject else { return nil }
        return error.description
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
