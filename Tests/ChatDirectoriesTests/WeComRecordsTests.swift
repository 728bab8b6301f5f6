import Directory
import SCIM
import Testing

@testable import ChatDirectories

/// WeCom's member and department objects as SCIM resources through the default attribute maps,
/// and WeCom's answers decoded; no server.
@Suite struct WeComRecordsTests {
    let settings = WeComSourceConfig(corpID: "ww1", appSecret: "s")
    var records: WeComRecords { WeComRecords(users: settings.users, groups: settings.groups) }

    func object(_ json: String) throws -> SCIMObject {
        guard case .object(let object) = try SCIMValue(json: Array(json.utf8)) else { throw WeComSimFailed(reason: json) }
        return object
    }

    @Test func aMemberBecomesAResource() throws {
        // As an app made after 2022-06-20 gets it: no mobile, no email.
        let user = try object(#"""
            {"userid": "zhangsan", "name": "张三", "department": [1, 2], "order": [0, 0], "position": "",
             "status": 2, "alias": "", "main_department": 2}
            """#)
        let resource = try records.users.resource(from: WeComRecords.row(user, fields: records.users))
        #expect(resource.id == "zhangsan")
        #expect(resource.attributes["userName"] == .string("zhangsan") && resource.attributes["displayName"] == .string("张三"))
        // WeCom's "" is no value; a field not given is none either.
        #expect(resource.attributes["title"] == nil && resource.attributes["emails"] == nil)
        #expect(resource.attributes["active"] == .bool(false), "status 2 is disabled")
    }

    @Test func statusGivesEnabled() throws {
        for (status, enabled) in [(1, true), (2, false), (4, true), (5, false)] {
            let user = try object(#"{"userid": "u", "status": \#(status)}"#)
            #expect(WeComRecords.value(of: "enabled", in: user) == .bool(enabled), "status \(status)")
            #expect(WeComRecords.value(of: "!enabled", in: user) == .bool(!enabled), "status \(status)")
        }
        #expect(WeComRecords.value(of: "enabled", in: try object(#"{"userid": "u"}"#)) == .null)
        #expect(WeComRecords.value(of: "department", in: try object(#"{"department": [1, 2]}"#)) == .text("[1,2]"))
        #expect(WeComRecords.value(of: "main_department", in: try object(#"{"main_department": 2}"#)) == .int(2))
    }

    @Test func departmentIDsAreNumbers() {
        #expect(WeComRecords.departmentID(.integer(7)) == "7")
        #expect(WeComRecords.departmentID(.string("7")) == "7")
        #expect(WeComRecords.departmentID(.string("٧")) == nil && WeComRecords.departmentID(.string("")) == nil)
        #expect(WeComRecords.departmentID(nil) == nil)
    }

    @Test func answersAreDecodedByErrcode() throws {
        let expired = try WeComAnswer(
            status: 200, json: .object(try object(#"{"errcode": 42001, "errmsg": "access_token expired\n, hint: [x]"}"#)),
            api: "user/list")
        #expect(expired.isTokenRefused && !expired.isRateLimited && expired.message == "access_token expired\\n, hint: [x]")
        let limited = try WeComAnswer(status: 200, json: .object(try object(#"{"errcode": 45009, "errmsg": "x"}"#)), api: "a")
        #expect(limited.isRateLimited && !limited.isTokenRefused)
        #expect(throws: WeComError.self) { try WeComAnswer(status: 200, json: .object(SCIMObject()), api: "a") }
        #expect(throws: WeComError.unreachable(api: "a", reason: "HTTP 502")) { try WeComAnswer(status: 502, json: nil, api: "a") }
        #expect(WeComError.refused(api: "a", secret: .app, code: -1, message: "system busy").isTransient)
        #expect(!WeComError.refused(api: "a", secret: .app, code: 60011, message: "").isTransient)
    }
}
