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
    /// How pages are asked for: by cursor when `pagination.cursor` says the provider offers
    /// it (RFC 9865 §4), by `startIndex` otherwise.
    public var paging: SCIMPaging

    public init(filter: Bool, incremental: Bool, maxResults: Int? = nil, paging: SCIMPaging = .index) {
        self.filter = filter
        self.incremental = incremental
        self.maxResults = maxResults
        self.paging = paging
    }

    /// The paging a ServiceProviderConfig offers: cursors when `pagination.cursor` is true.
    public static func paging(_ config: SCIMObject) -> SCIMPaging {
        config["pagination"]?.objectValue?["cursor"]?.boolValue == true ? .cursor : .index
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
        let paging = paging(config)
        guard filter else {
            return SCIMCapabilities(filter: false, incremental: false, maxResults: maxResults, paging: paging)
        }
        do {
            // Paged as the pulls will page: a provider may offer cursors only.
            _ = try await client.search(
                .users, filter: SCIMWatermark.filter(after: "1970-01-01T00:00:00Z"), cursor: paging == .cursor ? "" : nil,
                count: 1)
            return SCIMCapabilities(filter: true, incremental: true, maxResults: maxResults, paging: paging)
        } catch {
            // 400 (invalidFilter) or 501: the filter is not supported; a refused token still throws.
            guard let status = error.status, [400, 422, 501].contains(status) else { throw error }
            return SCIMCapabilities(filter: true, incremental: false, maxResults: maxResults, paging: paging)
        }
    }
}
