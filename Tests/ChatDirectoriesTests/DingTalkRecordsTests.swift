import Directory
import SCIM
import Testing

@testable import ChatDirectories

/// DingTalk's answers decoded (errcode, the 88 wrapper's sub_code, the address limit's body
/// without an errcode) and its objects as SCIM resources through the default maps; no server.
@Suite struct DingTalkRecordsTests {
    /// A userid is text; a number is the same id spelt by a gateway that re-encodes JSON.
    @Test func aUserIDIsTextOrANumber() {
        #expect(DingTalkRecords.userID(.string("manager4711")) == "manager4711")
        #expect(DingTalkRecords.userID(.integer(999)) == "999")
        #expect(DingTalkRecords.userID(.string("")) == nil)
        #expect(DingTalkRecords.userID(nil) == nil)
        #expect(DingTalkRecords.userID(.bool(true)) == nil)
    }

    func answer(_ json: String?, status: Int = 200) throws -> DingTalkAnswer {
        try DingTalkAnswer(status: status, json: try json.map { try SCIMValue(json: Array($0.utf8)) }, api: "test.api")
    }

    @Test func tokenRefusalsAreReadFromTheSubCode() throws {
        let expired = try answer(#"{"errcode":88,"errmsg":"ding talk error[subcode=42001,submsg=access_token超时]","sub_code":"42001","sub_msg":"access_token超时"}"#)
        #expect(expired.isTokenRefused && !expired.isRateLimited)
        #expect(try answer(#"{"errcode":88,"sub_code":"40014","errmsg":"x"}"#).isTokenRefused)
        #expect(try answer(#"{"errcode":42001,"errmsg":"access_token超时"}"#).isTokenRefused)
        // A blank token (40000) is not an expiry, and the message is never matched.
        #expect(try !answer(#"{"errcode":88,"sub_code":"40000","errmsg":"subcode=42001"}"#).isTokenRefused)
        #expect(try !answer(#"{"errcode":0,"errmsg":"ok"}"#).isTokenRefused)
    }

    @Test func limitRefusalsAreRecognisedWithOrWithoutAnErrcode() throws {
        #expect(try answer(#"{"errcode":90006,"errmsg":"您当前使用的CorpId及CorpSecret调用当前接口次数过多"}"#).isRateLimited)
        #expect(try answer(#"{"errcode":90018,"errmsg":"x"}"#).isRateLimited)
        #expect(try answer(#"{"errcode":88,"sub_code":"90002","errmsg":"x"}"#).isRateLimited)
        #expect(try answer(#"{"status":1111,"wait":5,"source":"x5","punish":"deny","uuid":"ab"}"#).isRateLimited)
        #expect(try answer(nil).isRateLimited, "a body that is not JSON")
        #expect(throws: DingTalkError.self) { try answer(nil, status: 502) }
        #expect(throws: DingTalkError.self) { try answer(#"{"result":[]}"#) }
        #expect(try !answer(#"{"errcode":60003,"errmsg":"部门不存在"}"#).isRateLimited)
    }

    @Test func messagesAreEscapedAndCarryTheSubMessage() throws {
        let refused = try answer(#"{"errcode":22,"errmsg":"不合法ApiName","sub_msg":"ApiName = x\ny","request_id":"r\t1"}"#)
        #expect(refused.message == "不合法ApiName (ApiName = x\\ny)")
        #expect(refused.requestID == "r\\t1")
    }

    @Test func usersAndDepartmentsMapThroughTheDefaults() throws {
        let settings = DingTalkSourceConfig(appKey: "k", appSecret: "s")
        let records = DingTalkRecords(users: settings.users, groups: settings.groups)
        let user: SCIMObject = [
            "userid": "zhangsan", "name": "张三", "email": "", "mobile": "13800000000", "title": "工程师",
            "job_number": "0042", "dept_id_list": [2, 3], "active": false,
        ]
        let resource = try records.users.resource(from: DingTalkRecords.row(user, fields: records.users))
        #expect(resource.id == "zhangsan")
        #expect(resource.attributes["userName"] == "zhangsan" && resource.attributes["displayName"] == "张三")
        #expect(resource.attributes["emails"] == nil, "an empty e-mail is no e-mail")
        #expect(resource.attributes["active"] == .bool(true), "listed, whatever DingTalk's activation says")
        #expect(DingTalkRecords.value(of: "!listed", in: user) == .bool(false))
        #expect(resource.attributes["phoneNumbers"] == [["type": "work", "value": "13800000000"]])
        let department: SCIMObject = ["dept_id": 7, "name": "销售部", "parent_id": 1]
        let group = try records.groups.resource(from: DingTalkRecords.row(department, fields: records.groups))
        #expect(group.id == "7" && group.attributes["displayName"] == "销售部")
        #expect(DingTalkRecords.value(of: "dept_id", in: department) == .text("7"))
        #expect(DingTalkRecords.value(of: "!auto_add_user", in: ["auto_add_user": false]) == .bool(true))
    }
}
