import Connectors
import Foundation

/// A Feishu (Lark) app's event subscription (事件订阅, 将事件发送至开发者服务器), opened.
///
/// With an Encrypt Key the body is `{"encrypt": …}` (``LarkCrypt``) and an event carries
/// `X-Lark-Request-Timestamp`, `X-Lark-Request-Nonce` and `X-Lark-Signature`, which are checked;
/// the URL check (`url_verification`) is encrypted but not signed, so its Verification Token is
/// what vouches for it, as in lark-oapi's dispatcher. Without an Encrypt Key Feishu sends
/// everything in clear and unsigned: only the Verification Token is checked. Every message's
/// token is compared with the configured one.
///
/// Events use the 2.0 schema (`schema: "2.0"`, `header.event_id`, `header.event_type`,
/// `header.token`); the contact events' `event.object` names the user's `user_id` or the
/// department's `department_id`, the ids the source reads by. Events answer
/// `{"msg":"success"}`; those this source does not follow (and 1.0-schema events) are answered
/// the same with no events, so that Feishu does not retry them.
///
/// Pure: no I/O; the clock is the init's.
public struct FeishuCallbackEndpoint: Sendable {
    private let verificationToken: String
    private let crypt: LarkCrypt?
    private let now: @Sendable () -> Date

    public init(config: FeishuCallbackConfig, now: @escaping @Sendable () -> Date = { Date() }) {
        self.verificationToken = config.verificationToken
        self.crypt = config.encryptKey.map(LarkCrypt.init(encryptKey:))
        self.now = now
    }

    /// The contact events: what they change, by `header.event_type`.
    static let events: [String: (PlatformEvent.Change, user: Bool)] = [
        "contact.user.created_v3": (.upserted, true), "contact.user.updated_v3": (.upserted, true),
        "contact.user.deleted_v3": (.removed, true),
        "contact.department.created_v3": (.upserted, false), "contact.department.updated_v3": (.upserted, false),
        "contact.department.deleted_v3": (.removed, false),
    ]

    public func open(_ request: CallbackRequest) throws(CallbackRefusal) -> OpenedCallback {
        guard request.method == "POST" else {
            throw CallbackRefusal(status: 405, reason: "Feishu posts its events; \(PlatformText.safe(request.method)) is not served")
        }
        let body = try CallbackJSON.object(request.body, "the body")
        let message: [String: CallbackJSON]
        var signed = false
        switch (crypt, body["encrypt"]) {
        case (let crypt?, let encrypted?):
            guard let encrypted = encrypted.string else {
                throw CallbackRefusal(status: 400, reason: "the body's \"encrypt\" is not a string")
            }
            if let signature = request.headers["x-lark-signature"] {
                guard let timestamp = request.headers["x-lark-request-timestamp"], let nonce = request.headers["x-lark-request-nonce"]
                else {
                    throw CallbackRefusal(status: 400, reason: "the request is signed but lacks X-Lark-Request-Timestamp or -Nonce")
                }
                guard crypt.verify(signature: signature, timestamp: timestamp, nonce: nonce, body: request.body) else {
                    throw CallbackRefusal(
                        status: 401, reason: "the X-Lark-Signature does not match (not signed with the configured Encrypt Key)")
                }
                try CallbackTimestamp.check(timestamp, now: now())
                signed = true
                message = try CallbackJSON.object(try crypt.decrypt(encrypted), "the decrypted message")
            } else {
                return try urlCheck(encrypted, crypt)
            }
        case (nil, .some):
            throw CallbackRefusal(
                status: 400, reason: "the event is encrypted but no encryptKey is configured (set source.feishu.callback.encryptKey)")
        case (.some, nil):
            throw CallbackRefusal(
                status: 401, reason: "the event is in clear but an encryptKey is configured (Feishu encrypts every event then)")
        case (nil, nil):
            message = body
        }

        if message["type"]?.string == "url_verification" {
            try checkToken(message["token"])
            guard let challenge = message["challenge"]?.string else {
                throw CallbackRefusal(status: 400, reason: "the url_verification has no challenge")
            }
            guard let answer = try? JSONEncoder().encode(["challenge": challenge]) else {
                throw CallbackRefusal(status: 400, reason: "the challenge cannot be echoed as JSON")
            }
            return OpenedCallback(answer: .json(Array(answer)), events: [])
        }
        // An event (not the URL check) must be signed when events are encrypted.
        if crypt != nil, !signed {
            throw CallbackRefusal(status: 401, reason: "the event has no X-Lark-Signature")
        }
        guard message["schema"]?.string == "2.0" else {
            try checkToken(message["token"])
            return OpenedCallback(answer: Self.success, events: [])  // a 1.0-schema event: none this source follows
        }
        guard case .object(let header)? = message["header"] else {
            throw CallbackRefusal(status: 400, reason: "the event has no header")
        }
        try checkToken(header["token"])
        guard let eventID = header["event_id"]?.string, !eventID.isEmpty, let type = header["event_type"]?.string else {
            throw CallbackRefusal(status: 400, reason: "the event's header lacks event_id or event_type")
        }
        guard let (change, isUser) = Self.events[type] else {
            return OpenedCallback(answer: Self.success, events: [])
        }
        let key = isUser ? "user_id" : "department_id"
        guard let id = message["event"]?["object"]?[key]?.string, !id.isEmpty else {
            throw CallbackRefusal(
                status: 400,
                reason: "event \(PlatformText.safe(type)) has no object.\(key) (does the app have the permission to read it?)")
        }
        let subject: PlatformEvent.Subject = isUser ? .user(id) : .department(id)
        return OpenedCallback(answer: Self.success, events: [PlatformEvent(id: eventID, type: type, change: change, subjects: [subject])])
    }

    /// An encrypted request without a signature: only the URL check comes so. Every way it
    /// can fail gets one answer: telling a padding error from a later one would let anyone
    /// decrypt a captured event block by block, and encrypt messages of their own, by sending
    /// altered copies (a CBC padding oracle).
    private func urlCheck(_ encrypted: String, _ crypt: LarkCrypt) throws(CallbackRefusal) -> OpenedCallback {
        let refusal = CallbackRefusal(
            status: 401,
            reason: "the request is not signed (no X-Lark-Signature) and is no URL check with the configured Verification Token")
        guard let plain = try? crypt.decrypt(encrypted), let message = try? CallbackJSON.object(plain, "the message"),
            message["type"]?.string == "url_verification", (try? checkToken(message["token"])) != nil,
            let challenge = message["challenge"]?.string, let answer = try? JSONEncoder().encode(["challenge": challenge])
        else { throw refusal }
        return OpenedCallback(answer: .json(Array(answer)), events: [])
    }

    private func checkToken(_ token: CallbackJSON?) throws(CallbackRefusal) {
        guard let token = token?.string,
            CallbackBytes.constantTimeEqual(Array(token.utf8), Array(verificationToken.utf8))
        else {
            throw CallbackRefusal(status: 401, reason: "the Verification Token does not match the configured one")
        }
    }

    static let success = CallbackAnswer.json(Array(#"{"msg":"success"}"#.utf8))
}
