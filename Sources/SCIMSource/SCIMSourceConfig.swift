import Config

/// `source: { scim: {...} }` — a SCIM 2.0 service provider that scimsync pulls from.
public struct SCIMSourceConfig: KindSettings, CustomDebugStringConvertible {
    /// The SCIM base URL (`https://host/scim/v2`).
    public var url: String
    /// The bearer token; arrives through `${VAR}` and is never printed.
    public var token: String
    /// Resources asked for per page.
    public var pageSize: Int
    /// Seconds between full pulls (which also find deletions).
    public var intervalSeconds: Int
    /// Seconds between incremental polls (`meta.lastModified gt`), when the provider supports
    /// them; nil (`poll: off`) for full pulls only.
    public var pollSeconds: Int?

    public init(url: String, token: String, pageSize: Int = 100, intervalSeconds: Int = 3600, pollSeconds: Int? = 60) {
        self.url = url
        self.token = token
        self.pageSize = pageSize
        self.intervalSeconds = intervalSeconds
        self.pollSeconds = pollSeconds
    }

    /// The URL, without the token.
    public var description: String { url }
    public var debugDescription: String {
        "SCIMSourceConfig(url: \(url), pageSize: \(pageSize), interval: \(intervalSeconds) s, poll: \(pollSeconds.map { "\($0) s" } ?? "off"))"
    }

    /// The `scim` source's block: its keys, defaults and checks.
    public static let configKind = ConfigKind(
        key: "scim", role: .source, whyNoLayout: "the provider serves SCIM resources; the target's layout maps them"
    ) { node in
        guard let map = node.mapping(allowed: ["url", "token", "pageSize", "interval", "poll"]) else { return nil }
        let url = map.required("url", "the provider's SCIM base URL, e.g. https://idp.example.com/scim/v2")?.httpURL()
        let token = map.required("token", "the bearer token; e.g. \"${SCIM_TOKEN}\"")?.nonEmptyString()
        let pageSize = map["pageSize"].map { $0.integer(in: 1...10000) } ?? 100
        let interval = map["interval"].map { $0.seconds(allowOff: false) } ?? .some(3600)
        let poll = map["poll"].map { $0.seconds(allowOff: true) } ?? .some(60)
        guard let url, let token, let pageSize, let interval, let interval, let poll else { return nil }
        return SCIMSourceConfig(url: url, token: token, pageSize: pageSize, intervalSeconds: interval, pollSeconds: poll)
    }
}
