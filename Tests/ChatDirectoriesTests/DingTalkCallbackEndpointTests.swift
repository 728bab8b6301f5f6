import ChatDirectories
import Connectors
import Foundation
import Testing

/// DingTalk's HTTP push: wechatpy's ciphertext opens into events, the answer is the encrypted
/// "success" the platform (and scripts/lib/platform_sim/dingtalk.py's check_callback_answer)
/// accepts, and every request not made with the configured token, key and app key is refused.
@Suite struct DingTalkCallbackEndpointTests {
    let v = CallbackVectors.self
    let config = DingTalkCallbackConfig(token: CallbackVectors.token, aesKey: CallbackVectors.aesKey)
    let crypt = WXBizMsgCrypt(token: CallbackVectors.token, encodingAESKey: CallbackVectors.aesKey, receiveID: CallbackVectors.appKey)!

    func endpoint(appKey: String = CallbackVectors.appKey, now: Date = CallbackVectors.now) -> DingTalkCallbackEndpoint {
        DingTalkCallbackEndpoint(config: config, appKey: appKey, now: { now }, random: CallbackTestSupport.fixedRandom)!
    }

    func request(encrypted: String, signature: String, timestamp: String, nonce: String = "n1") -> CallbackRequest {
        CallbackRequest(
            method: "POST", query: ["msg_signature": signature, "timestamp": timestamp, "nonce": nonce],
            headers: ["content-type": "application/json"], body: Array(#"{"encrypt":"\#(encrypted)"}"#.utf8))
    }

    /// `message` encrypted and signed as DingTalk does.
    func request(_ message: String, timestamp: String = "1764806400000", for receiver: WXBizMsgCrypt? = nil) -> CallbackRequest {
        let crypt = receiver ?? self.crypt
        let encrypted = crypt.encrypt(Array(message.utf8), random: Array(repeating: 7, count: 16))
        return request(
            encrypted: encrypted, signature: crypt.signature(timestamp: timestamp, nonce: "n1", encrypted: encrypted),
            timestamp: timestamp)
    }

    /// The checks of dingtalk.py's check_callback_answer: JSON with msg_signature, timeStamp,
    /// nonce and encrypt; the signature the token's; "success" encrypted for the app key.
    func expectSuccess(_ answer: CallbackAnswer, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(answer.status == 200 && answer.contentType.hasPrefix("application/json"), sourceLocation: sourceLocation)
        let json = try CallbackTestSupport.json(answer.body)
        let encrypted = try #require(json["encrypt"] as? String)
        let timestamp = try #require(json["timeStamp"] as? String)
        let nonce = try #require(json["nonce"] as? String)
        let signature = try #require(json["msg_signature"] as? String)
        #expect(crypt.signature(timestamp: timestamp, nonce: nonce, encrypted: encrypted) == signature, sourceLocation: sourceLocation)
        #expect(try crypt.decrypt(encrypted) == Array("success".utf8), sourceLocation: sourceLocation)
        #expect(timestamp == "1764806400000", sourceLocation: sourceLocation)
    }

    @Test func wechatpysEventOpensIntoDepartmentsRemoved() throws {
        let opened = try endpoint().open(
            request(encrypted: v.dingTalkEventEncrypt, signature: v.dingTalkEventSignature, timestamp: v.dingTalkEventTimestamp,
                nonce: v.dingTalkEventNonce))
        #expect(
            opened.events == [
                PlatformEvent(id: "3f2a9c1e7b", type: "org_dept_remove", change: .removed, subjects: [.department("12345"), .department("678")])
            ])
        try expectSuccess(opened.answer)
        #expect(opened.answer.body == Array(v.dingTalkAnswer.utf8))
    }

    @Test func userEventsCheckURLAndUnknownEvents() throws {
        let added = try endpoint().open(request(#"{"EventType":"user_add_org","eventId":"e1","userId":["u1","李雷"]}"#))
        #expect(added.events == [PlatformEvent(id: "e1", type: "user_add_org", change: .upserted, subjects: [.user("u1"), .user("李雷")])])
        try expectSuccess(added.answer)
        let left = try endpoint().open(request(#"{"EventType":"user_leave_org","UserId":["u2"]}"#))
        #expect(left.events.map(\.change) == [.removed] && left.events.first?.subjects == [.user("u2")])
        #expect(left.events.first?.id.count == 64)  // no eventId: the SHA-256 of the encrypted text
        let check = try endpoint().open(request(#"{"EventType":"check_url"}"#))
        #expect(check.events.isEmpty)
        try expectSuccess(check.answer)
        // An event this source does not follow is answered success, so that DingTalk stops sending it.
        let other = try endpoint().open(request(#"{"EventType":"label_user_change","eventId":"e2"}"#))
        #expect(other.events.isEmpty)
        try expectSuccess(other.answer)
    }

    @Test func refusals() throws {
        let good = request(#"{"EventType":"user_modify_org","userId":["u1"]}"#)
        var badSignature = good
        badSignature.query["msg_signature"] = String(repeating: "0", count: 40)
        #expect(CallbackTestSupport.refusal { () throws(CallbackRefusal) in try endpoint().open(badSignature) }?.status == 401)

        let otherApp = WXBizMsgCrypt(token: v.token, encodingAESKey: v.aesKey, receiveID: "dingotherapp")!
        let forbidden = CallbackTestSupport.refusal { () throws(CallbackRefusal) in
            try endpoint().open(request(#"{"EventType":"user_add_org","userId":["u1"]}"#, for: otherApp))
        }
        #expect(forbidden?.status == 403 && forbidden?.reason.contains("dingotherapp") == true)

        for stale in ["1764806099000", "1764806701000", "1764806701"] {
            let refusal = CallbackTestSupport.refusal { () throws(CallbackRefusal) in
                try endpoint().open(request(#"{"EventType":"check_url"}"#, timestamp: stale))
            }
            #expect(refusal?.status == 401 && refusal?.reason.contains("timestamp") == true, "\(stale)")
        }
        // Seconds are read too; 299 s off is within the window.
        #expect(throws: Never.self) { try endpoint().open(request(#"{"EventType":"check_url"}"#, timestamp: "1764806699")) }

        var malformed = good
        malformed.body = Array("{\"encrypt\":".utf8)
        #expect(CallbackTestSupport.refusal { () throws(CallbackRefusal) in try endpoint().open(malformed) }?.status == 400)
        var noQuery = good
        noQuery.query = [:]
        #expect(CallbackTestSupport.refusal { () throws(CallbackRefusal) in try endpoint().open(noQuery) }?.status == 400)
        var get = good
        get.method = "GET"
        #expect(CallbackTestSupport.refusal { () throws(CallbackRefusal) in try endpoint().open(get) }?.status == 405)
        let notJSON = CallbackTestSupport.refusal { () throws(CallbackRefusal) in try endpoint().open(request("success")) }
        #expect(notJSON?.status == 400)
        let noIDs = CallbackTestSupport.refusal { () throws(CallbackRefusal) in
            try endpoint().open(request(#"{"EventType":"user_add_org","userId":"u1"}"#))
        }
        #expect(noIDs?.status == 400)
    }
}
