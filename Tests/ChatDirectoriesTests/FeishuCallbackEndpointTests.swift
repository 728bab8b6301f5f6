import ChatDirectories
import Connectors
import Foundation
import Testing

/// Feishu's event subscription: the signed, encrypted event lark-oapi checked opens into its
/// event; the URL check is answered with its challenge; clear events (no Encrypt Key) rest on
/// the Verification Token; anything else is refused.
@Suite struct FeishuCallbackEndpointTests {
    let v = CallbackVectors.self
    let lark = LarkCrypt(encryptKey: CallbackVectors.feishuEncryptKey)

    func endpoint(encrypted: Bool = true, now: Date = CallbackVectors.now) -> FeishuCallbackEndpoint {
        FeishuCallbackEndpoint(
            config: FeishuCallbackConfig(
                verificationToken: CallbackVectors.feishuVerificationToken, encryptKey: encrypted ? CallbackVectors.feishuEncryptKey : nil),
            now: { now })
    }

    func event(_ type: String, object: String, token: String = CallbackVectors.feishuVerificationToken, id: String = "ev1") -> String {
        #"{"schema":"2.0","header":{"event_id":"\#(id)","token":"\#(token)","create_time":"1764806400000","event_type":"\#(type)","#
            + #""tenant_key":"t","app_id":"cli_x"},"event":{"object":\#(object)}}"#
    }

    /// `message` encrypted and, unless `signed` is false, signed as Feishu does.
    func request(_ message: String, signed: Bool = true, timestamp: String = "1764806400") -> CallbackRequest {
        let body = Array(#"{"encrypt":"\#(lark.encrypt(Array(message.utf8), iv: Array(repeating: 5, count: 16)))"}"#.utf8)
        var headers = ["content-type": "application/json"]
        if signed {
            headers["x-lark-request-timestamp"] = timestamp
            headers["x-lark-request-nonce"] = "nonce"
            headers["x-lark-signature"] = lark.signature(timestamp: timestamp, nonce: "nonce", body: body)
        }
        return CallbackRequest(method: "POST", headers: headers, body: body)
    }

    @Test func theEventLarkOapiCheckedOpens() throws {
        let request = CallbackRequest(
            method: "POST",
            headers: ["x-lark-request-timestamp": "1764806400", "x-lark-request-nonce": "fsnonce1", "x-lark-signature": v.feishuEventSignature],
            body: Array(v.feishuEventBody.utf8))
        let opened = try endpoint().open(request)
        #expect(
            opened.events == [
                PlatformEvent(id: "5e3702a84e847582be8db7fb73283c02", type: "contact.user.deleted_v3", change: .removed, subjects: [.user("li.si")])
            ])
        #expect(opened.answer.status == 200 && opened.answer.body == Array(#"{"msg":"success"}"#.utf8))
        #expect(try lark.decrypt(String(v.feishuEventBody.dropFirst(12).dropLast(2))) == Array(v.feishuEventMessage.utf8))
    }

    @Test func theURLCheckIsAnsweredWithItsChallenge() throws {
        let check = #"{"challenge":"c-\"1\"","token":"\#(v.feishuVerificationToken)","type":"url_verification"}"#
        // Encrypted and unsigned, as Feishu sends it when an Encrypt Key is set.
        let opened = try endpoint().open(request(check, signed: false))
        #expect(try CallbackTestSupport.json(opened.answer.body) as? [String: String] == ["challenge": #"c-"1""#])
        #expect(opened.events.isEmpty && opened.answer.contentType.hasPrefix("application/json"))
        let clear = try endpoint(encrypted: false).open(CallbackRequest(method: "POST", body: Array(check.utf8)))
        #expect(try CallbackTestSupport.json(clear.answer.body) as? [String: String] == ["challenge": #"c-"1""#])
        let wrongToken = check.replacingOccurrences(of: v.feishuVerificationToken, with: "guess")
        #expect(
            CallbackTestSupport.refusal { () throws(CallbackRefusal) in try endpoint().open(request(wrongToken, signed: false)) }?.status
                == 401)
    }

    /// An encrypted request without a signature can only be the URL check: whatever is wrong
    /// with it (its padding, its text, its type, its token), the answer is the same, so that
    /// nobody can use the endpoint to learn whether an altered ciphertext's padding is valid
    /// (a CBC padding oracle) and decrypt captured events with it.
    @Test func unsignedRequestsFailAlikeWhateverIsWrong() throws {
        let created = event("contact.user.created_v3", object: #"{"user_id":"u1"}"#)
        let encrypted = lark.encrypt(Array(created.utf8), iv: Array(repeating: 5, count: 16))
        var bytes = try #require(Data(base64Encoded: encrypted)).map { $0 }
        bytes[bytes.count - 17] ^= 0x01  // the last byte of the block before the last: the padding
        let badPadding = Data(bytes).base64EncodedString()
        let wrongToken = #"{"challenge":"c","token":"guess","type":"url_verification"}"#
        let bodies: [String] = [
            #"{"encrypt":"\#(badPadding)"}"#,
            #"{"encrypt":"\#(lark.encrypt(Array("not json".utf8), iv: Array(repeating: 5, count: 16)))"}"#,
            String(decoding: request(created, signed: false).body, as: UTF8.self),
            String(decoding: request(wrongToken, signed: false).body, as: UTF8.self),
            #"{"encrypt":"AAAA"}"#,
        ]
        let refusals = bodies.map { body in
            CallbackTestSupport.refusal { () throws(CallbackRefusal) in
                try endpoint().open(CallbackRequest(method: "POST", headers: ["content-type": "application/json"], body: Array(body.utf8)))
            }
        }
        #expect(refusals.allSatisfy { $0 != nil && $0 == refusals[0] }, "\(refusals)")
        #expect(refusals[0]?.status == 401)
    }

    @Test func contactEventsOpenIntoEvents() throws {
        let cases: [(String, String, PlatformEvent.Change, PlatformEvent.Subject)] = [
            ("contact.user.created_v3", #"{"open_id":"ou_1","user_id":"u1"}"#, .upserted, .user("u1")),
            ("contact.user.updated_v3", #"{"open_id":"ou_1","user_id":"u1","name":"李雷"}"#, .upserted, .user("u1")),
            ("contact.department.created_v3", #"{"open_department_id":"od-1","department_id":"sales"}"#, .upserted, .department("sales")),
            ("contact.department.updated_v3", #"{"department_id":"sales"}"#, .upserted, .department("sales")),
            ("contact.department.deleted_v3", #"{"department_id":"sales","status":{"is_deleted":true}}"#, .removed, .department("sales")),
        ]
        for (type, object, change, subject) in cases {
            let opened = try endpoint().open(request(event(type, object: object)))
            #expect(opened.events == [PlatformEvent(id: "ev1", type: type, change: change, subjects: [subject])], "\(type)")
        }
        // Without an Encrypt Key: in clear, unsigned.
        let clear = event("contact.user.created_v3", object: #"{"user_id":"u2"}"#, id: "ev2")
        let opened = try endpoint(encrypted: false).open(CallbackRequest(method: "POST", body: Array(clear.utf8)))
        #expect(opened.events == [PlatformEvent(id: "ev2", type: "contact.user.created_v3", change: .upserted, subjects: [.user("u2")])])
        // Events this source does not follow, and the 1.0 schema: answered, no events.
        #expect(try endpoint().open(request(event("contact.scope.updated_v3", object: "{}"))).events.isEmpty)
        let old = #"{"uuid":"u","token":"\#(v.feishuVerificationToken)","ts":"1","type":"event_callback","event":{"type":"user_add"}}"#
        #expect(try endpoint().open(request(old)).events.isEmpty)
    }

    @Test func refusals() throws {
        func status(_ endpoint: FeishuCallbackEndpoint, _ request: CallbackRequest, sourceLocation: SourceLocation = #_sourceLocation) -> Int? {
            CallbackTestSupport.refusal({ () throws(CallbackRefusal) in try endpoint.open(request) }, sourceLocation: sourceLocation)?.status
        }
        let created = event("contact.user.created_v3", object: #"{"user_id":"u1"}"#)
        var badSignature = request(created)
        badSignature.headers["x-lark-signature"] = String(repeating: "0", count: 64)
        #expect(status(endpoint(), badSignature) == 401)
        var tampered = request(created)
        tampered.body[tampered.body.count - 3] ^= 0x01
        #expect(status(endpoint(), tampered) == 401)
        #expect(status(endpoint(), request(created, signed: false)) == 401)
        #expect(status(endpoint(), request(created, timestamp: "1764806999")) == 401)
        #expect(status(endpoint(), request(event("contact.user.created_v3", object: #"{"user_id":"u1"}"#, token: "guess"))) == 401)
        #expect(status(endpoint(), CallbackRequest(method: "POST", body: Array(created.utf8))) == 401)
        #expect(status(endpoint(encrypted: false), request(created)) == 400)
        #expect(
            status(endpoint(encrypted: false), CallbackRequest(method: "POST", body: Array(created.replacingOccurrences(of: v.feishuVerificationToken, with: "x").utf8)))
                == 401)
        #expect(status(endpoint(), CallbackRequest(method: "POST", body: Array("{\"encrypt\":".utf8))) == 400)
        #expect(status(endpoint(), request("not json")) == 400)
        #expect(status(endpoint(), request(event("contact.user.created_v3", object: #"{"open_id":"ou_1"}"#))) == 400)
        #expect(status(endpoint(), CallbackRequest(method: "GET")) == 405)
        var wrongKey = request(created)
        let other = LarkCrypt(encryptKey: "another key")
        wrongKey.body = Array(#"{"encrypt":"\#(other.encrypt(Array(created.utf8), iv: Array(repeating: 1, count: 16)))"}"#.utf8)
        wrongKey.headers["x-lark-signature"] = lark.signature(timestamp: "1764806400", nonce: "nonce", body: wrongKey.body)
        #expect(status(endpoint(), wrongKey) == 401)
    }
}
