import Config
import SCIM
import SCIMClient

/// `scimsync check` for a SCIM service provider: the token is accepted and the provider's
/// ServiceProviderConfig (RFC 7643 §5) says it supports PATCH, which the target relies on.
enum SCIMProbe {
    static func check(_ config: SCIMTargetConfig, subject: String, keyPath: String) -> CheckResult {
        do {
            let client = try SCIMClient(
                baseURL: config.url, token: config.token, policy: RetryPolicy(maximumAttempts: 2))
            let object = try runBlocking { try await client.serviceProviderConfig() }
            let patch = object["patch"]?.objectValue?["supported"]?.boolValue
            let filter = object["filter"]?.objectValue?["supported"]?.boolValue
            if patch == false {
                return CheckResult(
                    .failed, subject,
                    "the SCIM provider at \(config.url) does not support PATCH, which scimsync needs (\(keyPath).url)")
            }
            let filterNote = filter == false ? "; no filtering, so a 409 on create cannot be resolved" : ""
            return CheckResult(
                filter == false ? .warning : .passed, subject,
                "SCIM provider at \(config.url) accepts the token; PATCH supported\(filterNote)")
        } catch {
            return CheckResult(.failed, subject, "\(error) (\(keyPath))")
        }
    }
}
