import Connectors
import SCIM

/// `scimsync check` for a SCIM service provider: its ServiceProviderConfig (RFC 7643 §5) says
/// it supports PATCH, which scimsync relies on, and `/Users` accepts the token.
public enum SCIMProbe {
    /// - Parameter keyPath: where the provider is in the configuration
    ///   (`pipelines[0].target.scim`), for messages.
    public static func check(url: String, token: String, keyPath: String) async -> ConnectorCheck {
        do {
            let client = try SCIMClient(baseURL: url, token: token, policy: RetryPolicy(maximumAttempts: 2))
            let object = try await client.serviceProviderConfig()
            // Discovery endpoints may answer without a token (RFC 7644 §4), so the token is
            // tried on /Users as well.
            _ = try await client.search(.users, count: 1)
            let patch = object["patch"]?.objectValue?["supported"]?.boolValue
            let filter = object["filter"]?.objectValue?["supported"]?.boolValue
            if patch == false {
                return ConnectorCheck(
                    .failed, "the SCIM provider at \(url) does not support PATCH, which scimsync needs (\(keyPath).url)")
            }
            let filterNote = filter == false ? "; no filtering, so a 409 on create cannot be resolved" : ""
            return ConnectorCheck(
                filter == false ? .warning : .passed, "SCIM provider at \(url) accepts the token; PATCH supported\(filterNote)")
        } catch {
            return ConnectorCheck(.failed, "\(error) (\(keyPath))")
        }
    }
}
