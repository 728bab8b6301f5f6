import SCIM

/// A provider's answer that the caller gets to read: a success, or a failure it handles
/// itself (404 on a lookup, 409 on a create).
public struct SCIMResponse: Sendable, Hashable {
    public var status: Int
    /// The JSON body; nil when there was none (204).
    public var body: SCIMValue?
    /// Requests sent to get this answer (more than 1 after retries): a 409 on a create that
    /// was retried after a lost answer may be the first attempt's own resource.
    public var attempts: Int

    public init(status: Int, body: SCIMValue?, attempts: Int = 1) {
        self.status = status
        self.body = body
        self.attempts = attempts
    }

    public var isSuccess: Bool { (200...299).contains(status) }

    /// The body as a SCIM error (RFC 7644 §3.12), when it is one.
    public var error: SCIMError? { body.flatMap(SCIMError.init(json:)) }
}

/// The resource endpoints scimsync reads and writes (RFC 7644 §3.2).
public enum SCIMEndpoint: String, Sendable, Hashable, CaseIterable {
    case users = "Users"
    case groups = "Groups"
}
