import Config

/// `source.feishu.callback`: the app's Verification Token and, if event encryption is on, its
/// Encrypt Key (事件与回调 → 加密策略). Both secrets: they arrive through `${VAR}` and are never
/// printed. Without an Encrypt Key Feishu sends events in clear and unsigned, and only the
/// Verification Token vouches for them.
public struct FeishuCallbackConfig: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public var verificationToken: String
    public var encryptKey: String?

    public init(verificationToken: String, encryptKey: String? = nil) {
        self.verificationToken = verificationToken
        self.encryptKey = encryptKey
    }

    public var description: String {
        "feishu events (Verification Token given, \(encryptKey == nil ? "no Encrypt Key: events in clear" : "Encrypt Key given"))"
    }
    public var debugDescription: String {
        "FeishuCallbackConfig(verificationToken: <secret>, encryptKey: \(encryptKey == nil ? "not given" : "<secret>"))"
    }

    /// The `callback:` block, or nil after its problems were reported.
    static func decode(_ node: ConfigNode) -> FeishuCallbackConfig? {
        guard let map = node.mapping(allowed: ["verificationToken", "encryptKey"]) else { return nil }
        let token = CallbackSecret.read(
            map.required(
                "verificationToken", "the app's Verification Token, from the environment: \"${FEISHU_VERIFICATION_TOKEN}\""),
            key: "verificationToken", variable: "FEISHU_VERIFICATION_TOKEN")
        var encryptKey: String??  = .some(nil)
        if let node = map["encryptKey"] {
            encryptKey = CallbackSecret.read(node, key: "encryptKey", variable: "FEISHU_ENCRYPT_KEY").map { .some($0) }
        }
        guard let token, let encryptKey else { return nil }
        return FeishuCallbackConfig(verificationToken: token, encryptKey: encryptKey)
    }
}
