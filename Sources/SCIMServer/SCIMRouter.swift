import Directory
import HTTPTypes
import HTTPLimits
import Hummingbird
import Logging
import NIOCore
import SCIM

/// The routes of `scimsync serve` under the configured base path (RFC 7644 §3.2).
public enum SCIMRouter {
    /// The router, for the application and for tests that call it without a network.
    public static func router(service: SCIMService) -> Router<SCIMRequestContext> {
        // RFC 9110 §9.3.2: "The HEAD method is identical to GET except that the server MUST
        // NOT send content in the response"; the router answers it with each GET route.
        let router = Router(context: SCIMRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.add(middleware: SCIMErrorMiddleware(logger: service.logger))
        router.add(middleware: ClientConnectionMiddleware())
        if let token = service.settings.token {
            router.add(middleware: BearerTokenMiddleware(token: token))
        }
        let documents = DiscoveryDocuments(
            layout: service.layout, settings: service.settings, required: service.requiredAttributes)
        let base = service.settings.basePath.isEmpty ? RouterPath("/") : RouterPath(service.settings.basePath)
        let group = router.group(base)
        let handlers = Handlers(service: service, documents: documents)

        group.get("ServiceProviderConfig") { request, _ in handlers.serviceProviderConfig(request) }
        group.get("Schemas") { request, _ in handlers.schemas(request) }
        group.get("Schemas/:id") { request, context in try handlers.schema(request, id: try Self.id(context)) }
        group.get("ResourceTypes") { request, _ in handlers.resourceTypes(request) }
        group.get("ResourceTypes/:id") { request, context in
            try handlers.resourceType(request, id: try Self.id(context))
        }
        group.post(".search") { request, _ in try await handlers.searchAll(request) }
        group.post("Bulk") { _, _ -> Response in
            throw SCIMError(status: 501, detail: "bulk operations are not supported (see /ServiceProviderConfig)")
        }
        // RFC 7644 §3.11: "If the service provider does not support the /Me endpoint, it
        // SHOULD respond with HTTP status code 501 (Not Implemented)": no user is the token's.
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
            group.on("Me", method: method) { _, _ -> Response in
                throw SCIMError(status: 501, detail: "/Me is not supported: the bearer token names no user of this directory")
            }
        }
        for kind in ResourceKind.allCases {
            let endpoint = RouterPath(stringLiteral: kind.endpoint)
            let one = RouterPath(stringLiteral: kind.endpoint + "/:id")
            group.get(endpoint) { request, _ in try await handlers.list(kind, request) }
            group.post(RouterPath(stringLiteral: kind.endpoint + "/.search")) { request, _ in
                try await handlers.search(kind, request)
            }
            group.post(endpoint) { request, _ in try await handlers.create(kind, request) }
            group.get(one) { request, context in try await handlers.get(kind, request, id: try Self.id(context)) }
            group.put(one) { request, context in
                try await handlers.replace(kind, request, id: try Self.id(context))
            }
            group.patch(one) { request, context in
                try await handlers.patch(kind, request, id: try Self.id(context))
            }
            group.delete(one) { request, context in
                try await handlers.delete(kind, request, id: try Self.id(context))
            }
        }
        refuseOtherMethods(group)
        return router
    }

    /// The methods each path takes; HEAD goes with GET.
    static var allowedMethods: [(path: String, methods: [HTTPRequest.Method])] {
        // The discovery endpoints are read-only (RFC 7644 §4: "An HTTP GET to this endpoint").
        var allowed: [(path: String, methods: [HTTPRequest.Method])] = [
            ("ServiceProviderConfig", [.get]), ("Schemas", [.get]), ("Schemas/:id", [.get]), ("ResourceTypes", [.get]),
            ("ResourceTypes/:id", [.get]), (".search", [.post]), ("Bulk", [.post]),
        ]
        for kind in ResourceKind.allCases {
            allowed.append((kind.endpoint, [.get, .post]))
            allowed.append((kind.endpoint + "/:id", [.get, .put, .patch, .delete]))
            allowed.append((kind.endpoint + "/.search", [.post]))
        }
        return allowed
    }

    /// A method a path does not take is a 405 with the ones it does, not a 404 that says the
    /// resource is not there (``MethodNotAllowed``).
    private static func refuseOtherMethods(_ group: RouterGroup<SCIMRequestContext>) {
        for (path, methods) in allowedMethods {
            let name = path.split(separator: "/").map { $0 == ":id" ? "{id}" : String($0) }.joined(separator: "/")
            MethodNotAllowed.refuse(on: group, path: path, allowing: methods) { allow in
                let detail = methods == [.get] ? "\(name) is read-only: use GET" : "\(name) takes \(allow)"
                return SCIMResponse.error(SCIMError(status: 405, detail: detail))
            }
        }
    }

    /// The `:id` of a path, percent-decoded (RFC 3986 §2.1): `/Users/a%20b` names `a b`.
    static func id(_ context: SCIMRequestContext) throws -> String {
        let raw = try context.parameters.require("id")
        guard let decoded = raw.removingPercentEncoding else {
            throw SCIMError.invalidValue("the id in the path is not valid percent-encoding (RFC 3986 §2.1)")
        }
        // No id the server writes holds a NUL (a written NUL is refused), and the databases'
        // clients refuse to send one.
        guard !decoded.utf8.contains(0) else {
            throw SCIMError(status: 404, detail: "no resource has an id with a NUL character in it")
        }
        return decoded
    }
}

/// One method per route: HTTP in, SCIM service calls, HTTP out.
struct Handlers: Sendable {
    let service: SCIMService
    let documents: DiscoveryDocuments

    /// `http://host/scim/v2`: what `Location`, `meta.location` and `$ref` start with. The
    /// configured `publicURL` when there is one; otherwise the request's own Host (when it is
    /// a plain host name or address), with `https` only when the operator trusts a proxy's
    /// `X-Forwarded-Proto` (a client must not choose the URLs the server hands to others).
    func base(_ request: Request) -> String {
        if let publicURL = service.settings.publicURL { return publicURL }
        let host = request.head.authority.flatMap { Self.isPlainHost($0) ? $0 : nil } ?? "localhost"
        let forwarded = service.settings.trustForwardedHeaders ? Self.forwardedProto.flatMap { request.headers[$0] } : nil
        let scheme = forwarded?.lowercased() == "https" ? "https" : "http"
        return "\(scheme)://\(host)\(service.settings.basePath)"
    }

    private static let forwardedProto = HTTPField.Name("X-Forwarded-Proto")

    /// A host name, IPv4 or bracketed IPv6 address, with an optional port: nothing that could
    /// add a path, user info or a second header to a URL.
    static func isPlainHost(_ authority: String) -> Bool {
        !authority.isEmpty && authority.utf8.count <= 255
            && authority.unicodeScalars.allSatisfy { scalar in
                ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                    || scalar == "." || scalar == "-" || scalar == ":" || scalar == "[" || scalar == "]"
            }
    }

    // MARK: Discovery

    func serviceProviderConfig(_ request: Request) -> Response {
        var config = documents.serviceProviderConfig
        config["meta"] = ["resourceType": "ServiceProviderConfig", "location": .string(base(request) + "/ServiceProviderConfig")]
        return SCIMResponse.json(.object(config))
    }

    func schemas(_ request: Request) -> Response {
        listing(documents.schemas, request, "Schemas")
    }

    func schema(_ request: Request, id: String) throws -> Response {
        try document(documents.schemas, id: id, request, "Schemas", noun: "schema")
    }

    func resourceTypes(_ request: Request) -> Response {
        listing(documents.resourceTypes, request, "ResourceTypes")
    }

    func resourceType(_ request: Request, id: String) throws -> Response {
        try document(documents.resourceTypes, id: id, request, "ResourceTypes", noun: "resource type")
    }

    /// Every discovery document of `endpoint` as one ListResponse.
    private func listing(_ all: [SCIMObject], _ request: Request, _ endpoint: String) -> Response {
        let listed = all.map { located($0, request, endpoint) }
        return SCIMResponse.json(
            ListResponse(totalResults: listed.count, startIndex: 1, itemsPerPage: listed.count, resources: listed).json)
    }

    /// The discovery document of `endpoint` whose `id` is `id` (compared ignoring case).
    private func document(_ all: [SCIMObject], id: String, _ request: Request, _ endpoint: String, noun: String) throws
        -> Response
    {
        guard let found = all.first(where: { $0["id"]?.stringValue?.caseInsensitiveEquals(id) == true }) else {
            throw SCIMError(status: 404, detail: "no \(noun) \(id)")
        }
        return SCIMResponse.json(.object(located(found, request, endpoint).attributes))
    }

    private func located(_ document: SCIMObject, _ request: Request, _ endpoint: String) -> SCIMResource {
        var copy = document
        var meta = copy["meta"]?.objectValue ?? SCIMObject()
        meta["location"] = .string("\(base(request))/\(endpoint)/\(copy["id"]?.stringValue ?? "")")
        copy["meta"] = .object(meta)
        return SCIMResource(copy)
    }

    // MARK: Resources

    func list(_ kind: ResourceKind, _ request: Request) async throws -> Response {
        try supported(kind)
        let parameters = try ListParameters(query: QueryParameters(request.uri.query))
        return SCIMResponse.json(try await service.list(kind, parameters, base: base(request)).json)
    }

    func search(_ kind: ResourceKind, _ request: Request) async throws -> Response {
        try supported(kind)
        let parameters = try ListParameters(search: try await body(request))
        return SCIMResponse.json(try await service.list(kind, parameters, base: base(request)).json)
    }

    /// `POST /.search` at the root (RFC 7644 §3.4.3): users, then groups, as one list.
    func searchAll(_ request: Request) async throws -> Response {
        var parameters = try ListParameters(search: try await body(request))
        guard parameters.cursor == nil else {
            throw SCIMError.badRequest(
                .invalidCursor, "cursor paging is offered on /Users/.search and /Groups/.search; page this search by startIndex")
        }
        let wanted = parameters.count
        let start = parameters.startIndex
        parameters.startIndex = 1
        parameters.count = 0
        var total = 0
        var counts: [(ResourceKind, Int)] = []
        for kind in ResourceKind.allCases where service.supports(kind) {
            let count = try await service.list(kind, parameters, base: base(request)).totalResults ?? 0
            counts.append((kind, count))
            total += count
        }
        var remaining = min(wanted ?? service.settings.maxPageSize, service.settings.maxPageSize)
        var skip = start - 1
        var resources: [SCIMResource] = []
        for (kind, count) in counts where remaining > 0 {
            if skip >= count {
                skip -= count
                continue
            }
            var page = parameters
            page.startIndex = skip + 1
            page.count = remaining
            let listed = try await service.list(kind, page, base: base(request)).resources
            resources += listed
            remaining -= listed.count
            skip = 0
        }
        return SCIMResponse.json(ListResponse(totalResults: total, startIndex: start, itemsPerPage: resources.count, resources: resources).json)
    }

    func get(_ kind: ResourceKind, _ request: Request, id: String) async throws -> Response {
        try supported(kind)
        let selection = try Self.selection(request)
        let memberships = selection.includes(kind.membershipAttribute)
        guard let resource = try await service.resource(kind, id: id, base: base(request), withMemberships: memberships) else {
            throw SCIMError(status: 404, detail: "\(kind.rawValue) \(id) not found")
        }
        if let ifNoneMatch = request.headers[.ifNoneMatch],
            let version = resource.attributes["meta"]?.objectValue?["version"]?.stringValue,
            ResourceVersion.header(ifNoneMatch, matches: version)
        {
            return Response(status: .notModified, headers: [.eTag: version])
        }
        var selected = resource
        selected.attributes = selection.apply(to: resource.attributes)
        var response = SCIMResponse.resource(selected)
        if let version = resource.attributes["meta"]?.objectValue?["version"]?.stringValue {
            response.headers[.eTag] = version
        }
        return response
    }

    func create(_ kind: ResourceKind, _ request: Request) async throws -> Response {
        try supported(kind)
        let selection = try Self.selection(request)
        let created = try await service.create(
            kind, body: try await body(request), base: base(request),
            withMemberships: selection.includes(kind.membershipAttribute))
        return SCIMResponse.resource(selection.apply(to: created), status: .created, location: true)
    }

    func replace(_ kind: ResourceKind, _ request: Request, id: String) async throws -> Response {
        try supported(kind)
        let selection = try Self.selection(request)
        let replaced = try await service.replace(
            kind, id: id, body: try await body(request), ifMatch: request.headers[.ifMatch], base: base(request),
            withMemberships: selection.includes(kind.membershipAttribute))
        return SCIMResponse.resource(selection.apply(to: replaced))
    }

    func patch(_ kind: ResourceKind, _ request: Request, id: String) async throws -> Response {
        try supported(kind)
        let selection = try Self.selection(request)
        let patched = try await service.patch(
            kind, id: id, body: try await body(request), ifMatch: request.headers[.ifMatch], base: base(request),
            withMemberships: selection.includes(kind.membershipAttribute))
        return SCIMResponse.resource(selection.apply(to: patched))
    }

    func delete(_ kind: ResourceKind, _ request: Request, id: String) async throws -> Response {
        try supported(kind)
        try await service.delete(kind, id: id, ifMatch: request.headers[.ifMatch])
        return Response(status: .noContent)
    }

    // MARK: Helpers

    private func supported(_ kind: ResourceKind) throws {
        guard service.supports(kind) else {
            throw SCIMError(status: 404, detail: "this directory has no groups table")
        }
    }

    /// `attributes`/`excludedAttributes` from the URL (RFC 7644 §3.9 allows them on writes too).
    private static func selection(_ request: Request) throws -> AttributeSelection {
        let query = QueryParameters(request.uri.query)
        return try AttributeSelection(
            attributes: names(query["attributes"]), excluded: names(query["excludedAttributes"]))
    }

    private static func names(_ text: String?) -> [String] {
        (text ?? "").split(separator: ",").map { $0.trimmingSpaces }.filter { !$0.isEmpty }
    }

    /// The request body as JSON, at most `maxBodyBytes` (413 beyond).
    private func body(_ request: Request) async throws -> SCIMValue {
        if let type = request.headers[.contentType]?.lowercased(),
            !(type.hasPrefix("application/scim+json") || type.hasPrefix("application/json"))
        {
            throw SCIMError(status: 415, detail: "send the body as application/scim+json")
        }
        let limit = service.settings.maxBodyBytes
        let tooLarge = SCIMError(status: 413, detail: "the body is larger than \(limit) bytes")
        // A declared length beyond the limit is answered at the head: waiting for a body that
        // will be refused would hold the connection until its body timeout.
        if let declared = request.headers[.contentLength], let length = Int(declared), length > limit { throw tooLarge }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw tooLarge
        } catch {
            // The connection's HTTP decoder refused the body (a broken chunked encoding, a
            // transfer coding other than chunked) or the client closed it early.
            throw SCIMError.invalidSyntax("the body could not be read whole: its length or chunked encoding is broken")
        }
        let value: SCIMValue
        do {
            value = try SCIMValue(json: buffer.readableBytesView)
        } catch {
            throw SCIMError.invalidSyntax("the body is not valid JSON: \(error)")
        }
        if let path = Self.nulPath(in: value, at: "") {
            // SQLite and PostgreSQL would cut the text at the NUL or refuse it: never store
            // something other than what was sent.
            throw SCIMError.invalidValue("\(path.isEmpty ? "a value" : path) contains a NUL character (U+0000), which no text column stores")
        }
        return value
    }

    /// The path (`name.givenName`, `emails[0].value`) of the first string holding U+0000.
    static func nulPath(in value: SCIMValue, at path: String) -> String? {
        switch value {
        case .string(let text):
            return text.unicodeScalars.contains("\u{0}") ? path : nil
        case .object(let object):
            for (key, member) in object.members {
                let keyPath = path.isEmpty ? key : "\(path).\(key)"
                if key.unicodeScalars.contains("\u{0}") { return keyPath }
                if let found = nulPath(in: member, at: keyPath) { return found }
            }
            return nil
        case .array(let elements):
            for (index, element) in elements.enumerated() {
                if let found = nulPath(in: element, at: "\(path)[\(index)]") { return found }
            }
            return nil
        case .null, .bool, .integer, .decimal:
            return nil
        }
    }
}
