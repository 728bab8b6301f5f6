import Config
import SCIM
import SCIMClient

/// `scimsync check` for a SCIM service provider: the provider's ServiceProviderConfig
/// (RFC 7643 §5) says it supports PATCH, which the target relies on, and `/Users` accepts
/// the token.
enum SCIMProbe {
    static func check(url: String, token: String, subject: String, keyPath: String) -> CheckResult {
        do {
            let client = try SCIMClient(
                baseURL: url, token: token, policy: RetryPolicy(maximumAttempts: 2))
            // Discovery endpoints may answer without a token (RFC 7644 §4), so the token is tried
            // on /Users as well.
            let object = try runBlocking { () async throws -> SCIMObject in
                let object = try await client.serviceProviderConfig()
                _ = try await client.search(.users, count: 1)
                return object
            }
            let patch = object["patch"]?.objectValue?["supported"]?.boolValue
            let filter = object["filter"]?.objectValue?["supported"]?.boolValue
            if patch == false {
                return CheckResult(
                    .failed, subject,
                    "the SCIM provider at \(url) does not support PATCH, which scimsync needs (\(keyPath).url)")
            }
            let filterNote = filter == false ? "; no filtering, so a 409 on create cannot be resolved" : ""
            return CheckResult(
                filter == false ? .warning : .passed, subject,
                "SCIM provider at \(url) accepts the token; PATCH supported\(filterNote)")
        } catch {
            return CheckResult(.failed, subject, "\(error) (\(keyPath))")
        }
    }
}
