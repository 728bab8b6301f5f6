import Config

/// `source.dingtalk.callback`: the event subscription's (事件订阅, HTTP 推送) signing token and
/// aes_key, from the developer console's "加密 aes_key" and "签名 token". Both secrets: they
/// arrive through `${VAR}` and are never printed.
public struct DingTalkCallbackConfig: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public var token: String
    /// 43 characters of base64 (checked when the configuration loads).
    public var aesKey: String

    public init(token: String, aesKey: String) {
        self.token = token
        self.aesKey = aesKey
    }

    public var description: String { "dingtalk event subscription (token and aes_key given)" }
    public var debugDescription: String { "DingTalkCallbackConfig(token: <secret>, aesKey: <secret>)" }

    /// The `callback:` block, or nil after its problems were reported.
    static func decode(_ node: ConfigNode) -> DingTalkCallbackConfig? {
        guard let map = node.mapping(allowed: ["token", "aesKey"]) else { return nil }
        let token = CallbackSecret.read(
            map.required("token", "the event subscription's signing token, from the environment: \"${DINGTALK_CALLBACK_TOKEN}\""),
            key: "token", variable: "DINGTALK_CALLBACK_TOKEN")
        let aesKey = CallbackSecret.aesKey(
            map.required("aesKey", "the event subscription's 43-character aes_key, from the environment: \"${DINGTALK_CALLBACK_AES_KEY}\""),
            key: "aesKey", variable: "DINGTALK_CALLBACK_AES_KEY", console: "the developer console's 加密 aes_key")
        guard let token, let aesKey else { return nil }
        return DingTalkCallbackConfig(token: token, aesKey: aesKey)
    }
}
