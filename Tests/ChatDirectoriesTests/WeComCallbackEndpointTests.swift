import ChatDirectories
import Connectors
import Crypto
import Foundation
import Testing

/// WeCom's callback URL: the URL check echoes wechatpy's echostr decrypted, contact events open
/// into events, and what the platform did not send (another corp, a stale or unsigned request,
/// XML with a DOCTYPE or an entity) is refused.
@Suite struct WeComCallbackEndpointTests {
    let v = CallbackVectors.self
    let crypt = WXBizMsgCrypt(token: CallbackVectors.token, encodingAESKey: CallbackVectors.aesKey, receiveID: CallbackVectors.corpID)!

    func endpoint(now: Date = CallbackVectors.now) -> WeComCallbackEndpoint {
        WeComCallbackEndpoint(
            config: WeComCallbackConfig(token: CallbackVectors.token, encodingAESKey: CallbackVectors.aesKey),
            corpID: CallbackVectors.corpID, now: { now })!
    }

    func envelope(_ encrypted: String) -> [UInt8] {
        Array(
            ("<xml><ToUserName><![CDATA[\(CallbackVectors.corpID)]]></ToUserName><AgentID><![CDATA[]]></AgentID>"
                + "<Encrypt><![CDATA[\(encrypted)]]></Encrypt></xml>").utf8)
    }

    /// `message` encrypted, enveloped and signed as WeCom does.
    func request(_ message: String, timestamp: String = "1764806400", for receiver: WXBizMsgCrypt? = nil) -> CallbackRequest {
        let crypt = receiver ?? self.crypt
        let encrypted = crypt.encrypt(Array(message.utf8), random: Array(repeating: 3, count: 16))
        return CallbackRequest(
            method: "POST",
            query: ["msg_signature": crypt.signature(timestamp: timestamp, nonce: "n", encrypted: encrypted), "timestamp": timestamp,
                "nonce": "n"],
            body: envelope(encrypted))
    }

    func event(_ changeType: String, _ fields: String) -> String {
        "<xml><ToUserName><![CDATA[\(CallbackVectors.corpID)]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>"
            + "<CreateTime>1764806400</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_contact]]></Event>"
            + "<ChangeType><![CDATA[\(changeType)]]></ChangeType>\(fields)</xml>"
    }

    @Test func wechatpysEchostrIsAnsweredInPlainText() throws {
        var query = ["msg_signature": v.wecomEchoSignature, "timestamp": v.wecomEchoTimestamp, "nonce": v.wecomEchoNonce,
            "echostr": v.wecomEchoEncrypt]
        let opened = try endpoint().open(CallbackRequest(method: "GET", query: query))
        #expect(opened.answer == CallbackAnswer(status: 200, body: Array("5927782489442352469".utf8)) && opened.events.isEmpty)
        // A "+" read as a space by a form-style query decoding still verifies.
        query["echostr"] = v.wecomEchoEncrypt.replacingOccurrences(of: "+", with: " ")
        #expect(try endpoint().open(CallbackRequest(method: "GET", query: query)).answer.body == Array("5927782489442352469".utf8))
        query["echostr"] = crypt.encrypt(Array("1".utf8), random: Array(repeating: 0, count: 16))
        #expect(CallbackTestSupport.refusal { () throws(CallbackRefusal) in try endpoint().open(CallbackRequest(method: "GET", query: query)) }?.status == 401)
    }

    @Test func wechatpysUpdateUserWithNewUserIDRemovesTheOldAndUpsertsTheNew() throws {
        let request = CallbackRequest(
            method: "POST", query: ["msg_signature": v.wecomEventSignature, "timestamp": v.wecomEventTimestamp, "nonce": v.wecomEventNonce],
            headers: ["content-type": "text/xml"], body: envelope(v.wecomEventEncrypt))
        let opened = try endpoint().open(request)
        let digest = SHA256.hash(data: Array(v.wecomEventEncrypt.utf8)).map { String(format: "%02x", $0) }.joined()
        #expect(
            opened.events == [
                PlatformEvent(id: digest + ":old", type: "update_user", change: .removed, subjects: [.user("zhangsan")]),
                PlatformEvent(id: digest, type: "update_user", change: .upserted, subjects: [.user("zhang.san")]),
            ])
        // wecom.py's check_callback_answer: HTTP 200 with "" or "success".
        #expect(opened.answer.status == 200 && opened.answer.body == Array("success".utf8))
    }

    /// Two pushes of one message text (two changes to a member within a second read the same
    /// once decrypted) are two events; a retry, the same encrypted text again, is one.
    @Test func anEventIsNamedByItsEncryptedText() throws {
        let message = event("update_user", "<UserID>lilei</UserID>")
        func pushed(_ random: UInt8) -> CallbackRequest {
            let encrypted = crypt.encrypt(Array(message.utf8), random: Array(repeating: random, count: 16))
            return CallbackRequest(
                method: "POST",
                query: ["msg_signature": crypt.signature(timestamp: "1764806400", nonce: "n", encrypted: encrypted), "timestamp": "1764806400",
                    "nonce": "n"],
                body: envelope(encrypted))
        }
        let first = try endpoint().open(pushed(1)).events.map(\.id)
        let second = try endpoint().open(pushed(2)).events.map(\.id)
        let retry = try endpoint().open(pushed(1)).events.map(\.id)
        #expect(first.count == 1 && second.count == 1)
        #expect(first != second)
        #expect(first == retry)
    }

    @Test func contactChangesOpenIntoEvents() throws {
        let cases: [(String, String, PlatformEvent.Change, PlatformEvent.Subject)] = [
            ("create_user", "<UserID><![CDATA[lilei]]></UserID><Department><![CDATA[1,2]]></Department>", .upserted, .user("lilei")),
            ("update_user", "<UserID><![CDATA[lilei]]></UserID>", .upserted, .user("lilei")),
            ("delete_user", "<UserID><![CDATA[a&amp;b&#x4e2d;]]></UserID>", .removed, .user("a&amp;b&#x4e2d;")),
            ("delete_user", "<UserID>a&amp;b&#x4e2d;</UserID>", .removed, .user("a&b中")),
            ("create_party", "<Id>2</Id><ParentId>1</ParentId>", .upserted, .department("2")),
            ("update_party", "<Id>2</Id><Name><![CDATA[销售]]></Name>", .upserted, .department("2")),
            ("delete_party", "<Id>3</Id>", .removed, .department("3")),
        ]
        for (type, fields, change, subject) in cases {
            let message = event(type, fields)
            let opened = try endpoint().open(request(message))
            #expect(opened.events.map(\.change) == [change] && opened.events.first?.subjects == [subject], "\(type) \(fields)")
            #expect(opened.events.first?.type == type)
        }
        // A legacy event's ExtAttr nests items: read, its text ignored.
        let legacy = event("update_user", "<UserID>u</UserID><ExtAttr><Item><Name>x</Name><Value>1</Value></Item></ExtAttr>")
        #expect(try endpoint().open(request(legacy)).events.first?.subjects == [.user("u")])
        // Events this source does not follow: answered, no events.
        let tag = event("update_tag", "<TagId>1</TagId>")
        #expect(try endpoint().open(request(tag)).events.isEmpty)
        let other = "<xml><MsgType>event</MsgType><Event>enter_agent</Event></xml>"
        let opened = try endpoint().open(request(other))
        #expect(opened.events.isEmpty && opened.answer.status == 200)
    }

    @Test func refusals() throws {
        func status(_ request: CallbackRequest, sourceLocation: SourceLocation = #_sourceLocation) -> Int? {
            CallbackTestSupport.refusal({ () throws(CallbackRefusal) in try endpoint().open(request) }, sourceLocation: sourceLocation)?.status
        }
        let good = request(event("delete_user", "<UserID>u</UserID>"))
        var badSignature = good
        badSignature.query["msg_signature"] = String(repeating: "a", count: 40)
        #expect(status(badSignature) == 401)
        let otherCorp = WXBizMsgCrypt(token: v.token, encodingAESKey: v.aesKey, receiveID: "wwothercorp")!
        #expect(status(request(event("delete_user", "<UserID>u</UserID>"), for: otherCorp)) == 403)
        #expect(status(request(event("delete_user", "<UserID>u</UserID>"), timestamp: "1764806000")) == 401)
        #expect(status(request(event("delete_user", "<UserID>u</UserID>"), timestamp: "later")) == 400)
        #expect(status(request(event("delete_user", ""))) == 400)
        var put = good
        put.method = "PUT"
        #expect(status(put) == 405)

        let doctype = #"<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>"#
        let hostile: [(String, String)] = [
            ("a DOCTYPE in the message", doctype + event("delete_user", "<UserID>&xxe;</UserID>")),
            ("an undeclared entity", event("delete_user", "<UserID>&xxe;</UserID>")),
            ("a comment", event("delete_user", "<UserID>u</UserID><!-- x -->")),
            ("attributes", event("delete_user", #"<UserID a="1">u</UserID>"#)),
            ("a field twice", event("delete_user", "<UserID>u</UserID><UserID>v</UserID>")),
            ("an unclosed element", event("delete_user", "<UserID>u")),
            ("another root", "<root><Event>change_contact</Event></root>"),
            ("not XML", "{\"Event\":\"change_contact\"}"),
            ("trailing content", event("delete_user", "<UserID>u</UserID>") + "<xml/>"),
        ]
        for (name, message) in hostile {
            let refusal = CallbackTestSupport.refusal { () throws(CallbackRefusal) in try endpoint().open(request(message)) }
            #expect(refusal?.status == 400, "\(name): \(String(describing: refusal))")
        }
        let doctypeRefusal = CallbackTestSupport.refusal { () throws(CallbackRefusal) in
            try endpoint().open(request(doctype + event("delete_user", "<UserID>u</UserID>")))
        }
        #expect(doctypeRefusal?.reason.contains("DOCTYPE") == true)
        // The envelope is read as strictly, before anything is decrypted.
        var envelopeDoctype = good
        envelopeDoctype.body = Array(doctype.utf8) + good.body
        #expect(status(envelopeDoctype) == 400)
        var noEncrypt = good
        noEncrypt.body = Array("<xml><ToUserName>ww</ToUserName></xml>".utf8)
        #expect(status(noEncrypt) == 400)
    }
}
