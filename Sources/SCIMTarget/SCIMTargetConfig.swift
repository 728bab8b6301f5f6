import Config

/// `target: { scim: {...} }` — a SCIM 2.0 service provider that scimsync pushes to.
public struct SCIMTargetConfig: KindSettings, CustomDebugStringConvertible {
    /// The SCIM base URL (`https://host/scim/v2`): `/Users` and `/Groups` are appended.
    public var url: String
    /// The bearer token; arrives through `${VAR}` and is never printed.
    public var token: String
    /// Member additions and removals per PATCH request at most.
    public var membersPerPatch: Int

    public init(url: String, token: String, membersPerPatch: Int = 100) {
        self.url = url
        self.token = token
        self.membersPerPatch = membersPerPatch
    }

    /// The URL, without the token.
    public var description: String { url }
    public var debugDescription: String { "SCIMTargetConfig(url: \(url), membersPerPatch: \(membersPerPatch))" }

    /// The `scim` target's block: its keys, defaults and checks.
    public static let configKind = ConfigKind(
        key: "scim", role: .target,
        whyNoLayout: "the provider speaks SCIM; the source layout's attributes are sent as they are"
    ) { node in
        guard let map = node.mapping(allowed: ["url", "token", "membersPerPatch"]) else { return nil }
        let url = map.required("url", "the provider's SCIM base URL, e.g. https://idp.example.com/scim/v2")?.httpURL()
        let token = map.required("token", "the bearer token; e.g. \"${SCIM_TOKEN}\"")?.nonEmptyString()
        let membersPerPatch = map["membersPerPatch"].map { $0.integer(in: 1...10000) } ?? 100
        guard let url, let token, let membersPerPatch else { return nil }
        return SCIMTargetConfig(url: url, token: token, membersPerPatch: membersPerPatch)
    }
}
