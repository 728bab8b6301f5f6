import SCIM
import SCIMClient

/// What a provider supports that a pull relies on: filtering at all (RFC 7643 §5
/// `filter.supported`), and a `meta.lastModified gt "…"` filter in particular, which many
/// providers that filter do not allow; learned from the ServiceProviderConfig and a probe.
public struct SCIMCapabilities: Sendable, Hashable {
    /// `filter.supported` in the ServiceProviderConfig.
    public var filter: Bool
    /// A `meta.lastModified gt` query was answered: incremental polling is possible.
    public var incremental: Bool
    /// `filter.maxResults`: the most resources the provider returns per page.
    public var maxResults: Int?

    public init(filter: Bool, incremental: Bool, maxResults: Int? = nil) {
        self.filter = filter
        self.incremental = incremental
        self.maxResults = maxResults
    }

    /// Asks `client`'s provider. A probe the provider refuses (400 `invalidFilter`, 501)
    /// means no incremental polling, not an error; any other failure is thrown.
    public static func probe(_ client: SCIMClient) async throws -> SCIMCapabilities {
        let config = try await client.serviceProviderConfig()
        let filterObject = config["filter"]?.objectValue
        let filter = filterObject?["supported"]?.boolValue ?? false
        let maxResults = filterObject?["maxResults"].flatMap { value -> Int? in
            if case .integer(let number) = value { return Int(number) }
            return nil
        }
        guard filter else { return SCIMCapabilities(filter: false, incremental: false, maxResults: maxResults) }
        do {
            _ = try await client.search(.users, filter: SCIMWatermark.filter(after: "1970-01-01T00:00:00Z"), count: 1)
            return SCIMCapabilities(filter: true, incremental: true, maxResults: maxResults)
        } catch {
            // 400 (invalidFilter) or 501: the filter is not supported; a refused token still throws.
            guard let status = error.status, [400, 422, 501].contains(status) else { throw error }
            return SCIMCapabilities(filter: true, incremental: false, maxResults: maxResults)
        }
    }
}
