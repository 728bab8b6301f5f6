import Connectors
import Crypto
import Foundation

/// A WeCom corp's callback URL (接收事件服务器), opened. Saving the URL sends a GET with
/// `msg_signature`, `timestamp`, `nonce` and an encrypted `echostr`, to be answered with the
/// decrypted text, "在1秒内响应GET请求，响应内容为上一步得到的明文消息内容（不能加引号，不能带bom头，
/// 不能带换行符）" (回调配置). Events arrive as POSTs of an XML envelope whose `Encrypt` holds,
/// in the ``WXBizMsgCrypt`` scheme for the corp id, the event's XML: `Event` `change_contact`
/// with a `ChangeType` (成员变更通知, 部门变更通知).
///
/// Events are answered "success" (HTTP 200 is what WeCom checks: "http头部返回200表示接收ok，
/// 其他错误码一律当做失败并发起重试"); those this source does not follow are answered the same,
/// with no events, so that WeCom does not retry them. WeCom gives events no id: an event's id
/// is the SHA-256 of its encrypted text, which a retry repeats and a new push does not (each
/// encryption begins with 16 random bytes). The decrypted message would not do: since
/// 2022-08-15 a member's update carries its id, departments and a time in whole seconds, so
/// two changes to one member within a second read the same, and the second would be dropped
/// as a repeat of the first.
///
/// Pure: no I/O; the clock is the init's.
public struct WeComCallbackEndpoint: Sendable {
    private let crypt: WXBizMsgCrypt
    private let now: @Sendable () -> Date

    /// `corpID` is the receive id every message must be encrypted for. Nil when the configured
    /// EncodingAESKey is not 43 characters of base64, which the configuration's loading already
    /// refuses.
    public init?(config: WeComCallbackConfig, corpID: String, now: @escaping @Sendable () -> Date = { Date() }) {
        guard let crypt = WXBizMsgCrypt(token: config.token, encodingAESKey: config.encodingAESKey, receiveID: corpID) else {
            return nil
        }
        self.crypt = crypt
        self.now = now
    }

    static let userChanges: [String: PlatformEvent.Change] = [
        "create_user": .upserted, "update_user": .upserted, "delete_user": .removed,
    ]
    static let departmentChanges: [String: PlatformEvent.Change] = [
        "create_party": .upserted, "update_party": .upserted, "delete_party": .removed,
    ]

    public func open(_ request: CallbackRequest) throws(CallbackRefusal) -> OpenedCallback {
        guard let signature = request.query["msg_signature"], let timestamp = request.query["timestamp"],
            let nonce = request.query["nonce"]
        else {
            throw CallbackRefusal(status: 400, reason: "the query lacks msg_signature, timestamp or nonce")
        }
        switch request.method {
        case "GET":
            // Base64 holds no space: one here is a "+" that a form-style decoding turned into one.
            guard let echo = request.query["echostr"]?.replacingOccurrences(of: " ", with: "+") else {
                throw CallbackRefusal(status: 400, reason: "the URL check has no echostr")
            }
            let plain = try verifiedMessage(encrypted: echo, signature: signature, timestamp: timestamp, nonce: nonce)
            return OpenedCallback(answer: .text(plain), events: [])
        case "POST":
            let envelope = try xml(request.body, "the body")
            guard let encrypted = envelope["Encrypt"] else {
                throw CallbackRefusal(status: 400, reason: "the body's XML has no Encrypt")
            }
            let message = try verifiedMessage(encrypted: encrypted, signature: signature, timestamp: timestamp, nonce: nonce)
            let digest = CallbackBytes.hex(SHA256.hash(data: Array(encrypted.utf8)))
            return OpenedCallback(answer: .text(Array("success".utf8)), events: try events(message, id: digest))
        default:
            throw CallbackRefusal(status: 405, reason: "WeCom sends GET and POST; \(PlatformText.safe(request.method)) is not served")
        }
    }

    private func verifiedMessage(encrypted: String, signature: String, timestamp: String, nonce: String) throws(CallbackRefusal)
        -> [UInt8]
    {
        guard crypt.verify(signature: signature, timestamp: timestamp, nonce: nonce, encrypted: encrypted) else {
            throw CallbackRefusal(status: 401, reason: "the msg_signature does not match (not signed with the configured Token)")
        }
        try CallbackTimestamp.check(timestamp, now: now())
        return try crypt.decrypt(encrypted)
    }

    private func xml(_ bytes: [UInt8], _ what: String) throws(CallbackRefusal) -> [String: String] {
        do throws(FlatXML.Failure) {
            let document = try FlatXML.read(bytes)
            guard document.root == "xml" else {
                throw FlatXML.Failure(reason: "the root element is \(PlatformText.safe(document.root)), not xml")
            }
            return document.fields
        } catch {
            throw CallbackRefusal(status: 400, reason: "\(what) is not WeCom's XML: \(error.reason)")
        }
    }

    private func events(_ message: [UInt8], id digest: String) throws(CallbackRefusal) -> [PlatformEvent] {
        let fields = try xml(message, "the decrypted message")
        guard fields["Event"] == "change_contact", let type = fields["ChangeType"] else {
            return []  // other events (a tag's change, an app's): answered, not retried
        }
        if let change = Self.userChanges[type] {
            let userID = try field("UserID", of: fields, type: type)
            // update_user with NewUserID: the member's userid changed (成员变更通知: "NewUserID:
            // 新的UserID，变更时推送（userid由系统生成时可更改一次）"): the old id goes, the new comes.
            if type == "update_user", let newID = fields["NewUserID"], !newID.isEmpty, newID != userID {
                return [
                    PlatformEvent(id: digest + ":old", type: type, change: .removed, subjects: [.user(userID)]),
                    PlatformEvent(id: digest, type: type, change: .upserted, subjects: [.user(newID)]),
                ]
            }
            return [PlatformEvent(id: digest, type: type, change: change, subjects: [.user(userID)])]
        }
        if let change = Self.departmentChanges[type] {
            let id = try field("Id", of: fields, type: type)
            return [PlatformEvent(id: digest, type: type, change: change, subjects: [.department(id)])]
        }
        return []  // update_tag and the like
    }

    private func field(_ name: String, of fields: [String: String], type: String) throws(CallbackRefusal) -> String {
        guard let value = fields[name], !value.isEmpty else {
            throw CallbackRefusal(status: 400, reason: "event \(PlatformText.safe(type)) has no \(name)")
        }
        return value
    }
}
