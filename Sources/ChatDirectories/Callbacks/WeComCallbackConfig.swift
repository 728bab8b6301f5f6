import Config

/// `source.wecom.callback`: the callback's Token and EncodingAESKey (接收事件服务器: "Token" and
/// "EncodingAESKey"). Both secrets: they arrive through `${VAR}` and are never printed.
public struct WeComCallbackConfig: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public var token: String
    /// 43 characters of base64 (checked when the configuration loads).
    public var encodingAESKey: String

    public init(token: String, encodingAESKey: String) {
        self.token = token
        self.encodingAESKey = encodingAESKey
    }

    public var description: String { "wecom callback (Token and EncodingAESKey given)" }
    public var debugDescription: String { "WeComCallbackConfig(token: <secret>, encodingAESKey: <secret>)" }

    /// The `callback:` block, or nil after its problems were reported.
    static func decode(_ node: ConfigNode) -> WeComCallbackConfig? {
        guard let map = node.mapping(allowed: ["token", "encodingAESKey"]) else { return nil }
        let token = CallbackSecret.read(
            map.required("token", "the callback's Token, from the environment: \"${WECOM_CALLBACK_TOKEN}\""),
            key: "token", variable: "WECOM_CALLBACK_TOKEN")
        let aesKey = CallbackSecret.aesKey(
            map.required("encodingAESKey", "the callback's EncodingAESKey, from the environment: \"${WECOM_CALLBACK_AES_KEY}\""),
            key: "encodingAESKey", variable: "WECOM_CALLBACK_AES_KEY", console: "the console's EncodingAESKey")
        guard let token, let aesKey else { return nil }
        return WeComCallbackConfig(token: token, encodingAESKey: aesKey)
    }
}
