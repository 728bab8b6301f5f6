import Connectors
import Crypto
import Foundation

/// A DingTalk app's event subscription in HTTP push mode (事件订阅, HTTP 推送), opened: the
/// POST's query carries `msg_signature` (or its older name `signature`), `timestamp` (in
/// milliseconds) and `nonce`; its body is `{"encrypt": …}` in WeCom's scheme
/// (``WXBizMsgCrypt``), encrypted for the app key. The decrypted JSON names its `EventType`;
/// the contact events list the users (`UserId`) or departments (`DeptId`) that changed.
///
/// Every request is answered with the encrypted string "success" as JSON (`msg_signature`,
/// `timeStamp`, `nonce`, `encrypt`): that is what saving the URL (`check_url`) expects, and an
/// event not answered so is pushed again. Event types this source does not follow are answered
/// the same, with no events, so that DingTalk does not retry them.
///
/// Pure: no I/O; the clock and the random source are the init's.
public struct DingTalkCallbackEndpoint: Sendable {
    private let crypt: WXBizMsgCrypt
    private let now: @Sendable () -> Date
    private let random: @Sendable (Int) -> [UInt8]

    /// `appKey` is the receive id every message must be encrypted for (the app's AppKey; an
    /// ISV's suite key). Nil when the configured aes_key is not 43 characters of base64, which
    /// the configuration's loading already refuses.
    public init?(
        config: DingTalkCallbackConfig, appKey: String, now: @escaping @Sendable () -> Date = { Date() },
        random: @escaping @Sendable (Int) -> [UInt8] = CallbackRandom.system
    ) {
        guard let crypt = WXBizMsgCrypt(token: config.token, encodingAESKey: config.aesKey, receiveID: appKey) else {
            return nil
        }
        self.crypt = crypt
        self.now = now
        self.random = random
    }

    /// The user events: their change, by `EventType` (通讯录事件).
    static let userEvents: [String: PlatformEvent.Change] = [
        "user_add_org": .upserted, "user_modify_org": .upserted, "user_active_org": .upserted, "user_leave_org": .removed,
    ]
    /// The department events.
    static let departmentEvents: [String: PlatformEvent.Change] = [
        "org_dept_create": .upserted, "org_dept_modify": .upserted, "org_dept_remove": .removed,
    ]

    public func open(_ request: CallbackRequest) throws(CallbackRefusal) -> OpenedCallback {
        guard request.method == "POST" else {
            throw CallbackRefusal(status: 405, reason: "DingTalk posts its events; \(PlatformText.safe(request.method)) is not served")
        }
        guard let signature = request.query["msg_signature"] ?? request.query["signature"], let timestamp = request.query["timestamp"],
            let nonce = request.query["nonce"]
        else {
            throw CallbackRefusal(status: 400, reason: "the query lacks msg_signature, timestamp or nonce")
        }
        let body = try CallbackJSON.object(request.body, "the body")
        guard let encrypted = body["encrypt"]?.string else {
            throw CallbackRefusal(status: 400, reason: "the body has no \"encrypt\" string")
        }
        guard crypt.verify(signature: signature, timestamp: timestamp, nonce: nonce, encrypted: encrypted) else {
            throw CallbackRefusal(status: 401, reason: "the msg_signature does not match (not signed with the configured token)")
        }
        try CallbackTimestamp.check(timestamp, now: now())
        let message = try crypt.decrypt(encrypted)
        let payload = try CallbackJSON.object(message, "the decrypted message")
        guard let type = payload["EventType"]?.string else {
            throw CallbackRefusal(status: 400, reason: "the decrypted message has no EventType")
        }
        return OpenedCallback(answer: success(), events: try events(type: type, payload: payload, encrypted: encrypted))
    }

    private func events(type: String, payload: [String: CallbackJSON], encrypted: String) throws(CallbackRefusal)
        -> [PlatformEvent]
    {
        let subject: (String) -> PlatformEvent.Subject
        let change: PlatformEvent.Change
        let keys: [String]
        if let userChange = Self.userEvents[type] {
            (subject, change, keys) = ({ .user($0) }, userChange, ["UserId", "userId"])
        } else if let departmentChange = Self.departmentEvents[type] {
            (subject, change, keys) = ({ .department($0) }, departmentChange, ["DeptId", "deptId"])
        } else {
            return []  // check_url, and events this source does not follow: answered, not retried
        }
        guard let list = keys.lazy.compactMap({ payload[$0] }).first, case .array(let values) = list else {
            throw CallbackRefusal(status: 400, reason: "event \(PlatformText.safe(type)) lists no \(keys[0])")
        }
        var ids: [String] = []
        for value in values {
            guard let id = value.id, !id.isEmpty else {
                throw CallbackRefusal(status: 400, reason: "event \(PlatformText.safe(type)) lists an id that is not a string or number")
            }
            ids.append(id)
        }
        guard !ids.isEmpty else { return [] }
        // The event's own id where DingTalk gives one ("eventId": unique per event), else the
        // encrypted text's digest: a retry carries the same text, and a new push another (each
        // encryption begins with random bytes), even when two changes read the same once
        // decrypted.
        let id = (payload["eventId"] ?? payload["EventId"])?.id ?? CallbackBytes.hex(SHA256.hash(data: Array(encrypted.utf8)))
        return [PlatformEvent(id: id, type: type, change: change, subjects: ids.map(subject))]
    }

    /// The encrypted "success", signed, as DingTalk reads it.
    private func success() -> CallbackAnswer {
        let timestamp = String(Int64((now().timeIntervalSince1970 * 1000).rounded()))
        let nonce = CallbackBytes.hex(random(4))
        let encrypted = crypt.encrypt(Array("success".utf8), random: random(16))
        let signature = crypt.signature(timestamp: timestamp, nonce: nonce, encrypted: encrypted)
        // Hex digits, decimal digits and base64: nothing in these values needs JSON escaping.
        let json = #"{"msg_signature":"\#(signature)","timeStamp":"\#(timestamp)","nonce":"\#(nonce)","encrypt":"\#(encrypted)"}"#
        return .json(Array(json.utf8))
    }
}
