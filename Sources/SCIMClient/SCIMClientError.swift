import SCIM

/// Why a request to a SCIM service provider failed. Never carries the bearer token: the token
/// only ever goes into the `Authorization` header. A request is named by its method and path
/// (provider ids, no query values: a filter would carry a user name).
public enum SCIMClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The provider refused the request with a status retrying cannot cure (4xx but 429), or
    /// still answered 429/5xx when the attempts were used up. `error` is the provider's SCIM
    /// error body when it sent one (its `detail` says why).
    case provider(request: String, status: Int, error: SCIMError?, attempts: Int)
    /// No answer: connection refused, reset, timed out; `reason` is the transport's error.
    case unreachable(request: String, reason: String, attempts: Int)
    /// The answer was not the SCIM JSON the request expects.
    case invalidResponse(request: String, reason: String)
    /// The answer was SCIM JSON but not about the resource the request named: another
    /// resource's `id`, or a created resource without one. The provider's fault, and about
    /// that one resource: the rest of its answers may be sound.
    case otherResource(request: String, reason: String)
    /// The configured URL cannot be used.
    case invalidURL(String)

    /// The HTTP status the provider answered with, if it answered.
    public var status: Int? {
        if case .provider(_, let status, _, _) = self { return status }
        return nil
    }

    /// The provider's `scimType` (RFC 7644 §3.12), e.g. `uniqueness` on a 409.
    public var scimType: SCIMError.ScimType? {
        if case .provider(_, _, let error?, _) = self { return error.scimType }
        return nil
    }

    /// Whether a later attempt of the whole batch may succeed (the pipeline retries those).
    public var isTransient: Bool {
        switch self {
        case .provider(_, let status, _, _): RetryPolicy.isRetryable(status: status)
        case .unreachable: true
        case .invalidResponse, .otherResource, .invalidURL: false
        }
    }

    public var description: String {
        switch self {
        case .provider(let request, let status, let error, let attempts):
            let tries = attempts > 1 ? " after \(attempts) attempts" : ""
            let scimType = error?.scimType.map { " (\($0.rawValue))" } ?? ""
            // The provider's words, escaped and cut: a detail may echo a token or a request
            // body, or carry a line break that would forge a log line.
            let detail = error?.detail.map { ": \(LogText.safe($0, limit: 200))" } ?? ""
            return "the SCIM provider answered \(request) with HTTP \(status)\(scimType)\(tries)\(detail)"
                + Self.advice(status)
        case .unreachable(let request, let reason, let attempts):
            return "no answer from the SCIM provider to \(request) after \(attempts) attempts (\(reason)); "
                + "check the url and that the provider is up"
        case .invalidResponse(let request, let reason):
            return "the SCIM provider's answer to \(request) is not usable: \(LogText.safe(reason, limit: 200))"
        case .otherResource(let request, let reason):
            return "the SCIM provider's answer to \(request) is not about that resource: \(LogText.safe(reason, limit: 200))"
        case .invalidURL(let problem):
            return "the SCIM url \(problem)"
        }
    }

    private static func advice(_ status: Int) -> String {
        switch status {
        case 401: "; the provider refused the token: check the token's environment variable"
        case 403: "; the token lacks a permission this request needs"
        case 404: "; check the url (it should end at the SCIM base, e.g. https://host/scim/v2)"
        default: ""
        }
    }
}
