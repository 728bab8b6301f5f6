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
public final class FeishuTarget: ChatPlatformWriter {
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

    static let platform = "Feishu"
    /// "A user cannot belong to more than 50 departments" (41033).
    public static let maxDepartmentsPerUser = 50
    static let tooManyDepartmentsCode = "code 41033"
    /// 43012 "delete has sub dept department error".
    static let subDepartmentsCode = "code 43012"

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

    var defaultDepartment: String { settings.defaultDepartment }

    /// Applies `ops` in order (``ChatPlatformWriter/applyBatch(_:)``); what Feishu refused
    /// or what waits comes back in the report.
    /// - Throws: a ``FeishuError`` the batch cannot go on after, or the id map's error.
    public func apply(_ ops: [ResourceOp]) async throws -> ChatTargetReport {
        try await applyBatch(ops)
    }

    func refusal(_ error: any Error) -> String? {
        guard let error = error as? FeishuError, error.refusesTheObject else { return nil }
        return error.description
    }

    /// One contact v3 call with the tenant's own id types.
    @discardableResult
    func call(_ method: HTTPMethod, _ api: String, _ path: String, _ body: SCIMObject? = nil) async throws -> SCIMObject {
        try await client.call(method, api: api, path: path, query: Self.idTypes, body: body.map { .object($0) })
    }

    static func userPath(_ userID: String) -> String { usersPath + "/" + PlatformURL.pathSegment(userID) }
    static func departmentPath(_ departmentID: String) -> String {
        departmentsPath + "/" + PlatformURL.pathSegment(departmentID)
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
