/// An access token a chat platform issued (Feishu's `tenant_access_token`, DingTalk's and
/// WeCom's `access_token`). Its value goes into a request and nowhere else: every description
/// of it, plain or debug, is redacted, so neither a log line, an error nor `dump` can show it.
public struct AccessToken: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The token as the platform wants it back.
    public let value: String

    public init(_ value: String) {
        self.value = value
    }

    public var description: String { "AccessToken(redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// What a platform's token endpoint answered: the token and how long it stays valid from now
/// (Feishu's `expire`, DingTalk's `expireIn`, WeCom's `expires_in`, all in seconds).
public struct TokenGrant: Sendable, Hashable, CustomStringConvertible {
    public var token: AccessToken
    public var lifetime: Duration

    public init(token: AccessToken, lifetime: Duration) {
        self.token = token
        self.lifetime = lifetime
    }

    public var description: String { "TokenGrant(lifetime: \(lifetime))" }
}
