import NIOHTTP1
import SCIM

extension SCIMClient {
    /// `POST /Users` (or `/Groups`): the provider's resource as created, with its `id`.
    /// A 409 (RFC 7644 §3.3: the resource exists) comes back as `.conflict`; a created
    /// resource without an id throws ``SCIMClientError/otherResource(request:reason:)``
    /// (the resource may exist now: find it by `externalId`).
    public func create(_ resource: SCIMResource, at endpoint: SCIMEndpoint) async throws(SCIMClientError) -> CreateOutcome {
        let path = "/" + endpoint.rawValue
        let response = try await send(.POST, path, body: .object(resource.attributes), accepting: [409])
        if response.status == 409 { return .conflict(response.error, attempts: response.attempts) }
        let created = try Self.resource(response, "POST \(path)")
        guard created.id?.isEmpty == false else {
            throw .otherResource(request: "POST \(path)", reason: "the created resource has no id")
        }
        return .created(created)
    }

    /// What a create did.
    public enum CreateOutcome: Sendable, Hashable {
        case created(SCIMResource)
        /// The provider holds a resource with the same unique attribute (`userName`, ...);
        /// `attempts` > 1 when the POST was sent again after a failure, so the conflicting
        /// resource may be the one the first attempt created.
        case conflict(SCIMError?, attempts: Int)
    }

    /// `GET /Users/{id}`; nil when the provider has no such resource (404). A resource
    /// with another `id` throws ``SCIMClientError/otherResource(request:reason:)``.
    public func get(_ id: String, at endpoint: SCIMEndpoint) async throws(SCIMClientError) -> SCIMResource? {
        let path = Self.path(endpoint, id)
        let response = try await send(.GET, path, accepting: [404])
        if response.status == 404 { return nil }
        let resource = try Self.resource(response, "GET \(path)")
        if let answered = response.body?.objectValue?["id"] {
            try Self.check(answered.stringValue, is: id, "GET \(path)")
        }
        return resource
    }

    /// `PATCH /Users/{id}` with `operations` (RFC 7644 §3.5.2). Returns false when the
    /// provider has no such resource (404). An answer that returns another resource (RFC
    /// 7644 §3.5.2: "the server either MUST return a 200 OK response code and the entire
    /// resource ... or ... 204") throws ``SCIMClientError/otherResource(request:reason:)``:
    /// which resource the provider changed is not known.
    @discardableResult
    public func patch(
        _ id: String, at endpoint: SCIMEndpoint, _ operations: [PatchOperation]
    ) async throws(SCIMClientError) -> Bool {
        guard !operations.isEmpty else { return true }
        let path = Self.path(endpoint, id)
        let response = try await send(.PATCH, path, body: PatchRequest(operations: operations).json, accepting: [404])
        if response.status == 404 { return false }
        if let answered = response.body?.objectValue?["id"] {
            try Self.check(answered.stringValue, is: id, "PATCH \(path)")
        }
        return true
    }

    /// An answer's resource must be the one the request named: ids are case-exact (RFC 7643
    /// §3.1, "id ... caseExact true").
    private static func check(_ answered: String?, is id: String, _ request: String) throws(SCIMClientError) {
        guard answered != id else { return }
        // Escaped and cut where the reason is written (the error's description).
        let what = answered.map { "resource \($0)" } ?? "an id that is not a string"
        throw .otherResource(request: request, reason: "answered with \(what)")
    }

    /// `DELETE /Users/{id}`. Returns false when the resource was not there (404): deleting is
    /// delete-if-present.
    @discardableResult
    public func delete(_ id: String, at endpoint: SCIMEndpoint) async throws(SCIMClientError) -> Bool {
        let response = try await send(.DELETE, Self.path(endpoint, id), accepting: [404])
        return response.status != 404
    }

    /// One page of `GET /Users?filter=…&startIndex=…&count=…` (RFC 7644 §3.4.2), or of
    /// `…&cursor=…&count=…` (RFC 9865 §2).
    ///
    /// - Parameters:
    ///   - filter: a SCIM filter (RFC 7644 §3.4.2.2), or nil for every resource.
    ///   - startIndex: 1-based index of the first result; unused with a cursor.
    ///   - cursor: pages by cursor: empty for the first page, then the `nextCursor` of the
    ///     page before.
    public func search(
        _ endpoint: SCIMEndpoint, filter: String? = nil, startIndex: Int = 1, cursor: String? = nil, count: Int? = nil,
        attributes: [String] = [], excludedAttributes: [String] = []
    ) async throws(SCIMClientError) -> ListResponse {
        var query: [(String, String)] = []
        if let filter { query.append(("filter", filter)) }
        if let cursor {
            query.append(("cursor", cursor))
        } else {
            query.append(("startIndex", String(startIndex)))
        }
        if let count { query.append(("count", String(count))) }
        if !attributes.isEmpty { query.append(("attributes", attributes.joined(separator: ","))) }
        if !excludedAttributes.isEmpty { query.append(("excludedAttributes", excludedAttributes.joined(separator: ","))) }
        let path = "/" + endpoint.rawValue
        let response = try await send(.GET, path, query: query)
        guard let body = response.body else {
            throw .invalidResponse(request: Self.name(.GET, path, query), reason: "no list response body")
        }
        do {
            return try ListResponse(json: body)
        } catch {
            throw .invalidResponse(request: Self.name(.GET, path, query), reason: "not a list response: \(error.description)")
        }
    }

    /// `GET /ServiceProviderConfig` (RFC 7643 §5): what the provider supports.
    public func serviceProviderConfig() async throws(SCIMClientError) -> SCIMObject {
        let response = try await send(.GET, "/ServiceProviderConfig")
        guard let object = response.body?.objectValue else {
            throw .invalidResponse(request: "GET /ServiceProviderConfig", reason: "not a JSON object")
        }
        return object
    }

    static func path(_ endpoint: SCIMEndpoint, _ id: String) -> String {
        "/" + endpoint.rawValue + "/" + encode(id)
    }

    private static func resource(_ response: SCIMResponse, _ request: String) throws(SCIMClientError) -> SCIMResource {
        guard let object = response.body?.objectValue else {
            throw .invalidResponse(request: request, reason: "no resource in the body")
        }
        return SCIMResource(object)
    }
}
