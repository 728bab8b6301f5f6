/// A query response (RFC 7644 §3.4.2): one page of resources and where it sits in the whole.
public struct ListResponse: Sendable, Hashable {
    /// The number of results the query matched, across all pages. RFC 7644 requires it; a
    /// page read by cursor may leave it out (RFC 9865 §2: providers "unable to estimate
    /// totalResults MAY choose to omit" it).
    public var totalResults: Int?
    /// The 1-based index of the first result of this page; REQUIRED when paginating.
    public var startIndex: Int?
    /// The number of resources on this page; REQUIRED when paginating.
    public var itemsPerPage: Int?
    /// The resources of this page (`Resources`, capitalised as RFC 7644 §3.4.2 names it).
    public var resources: [SCIMResource]
    /// The cursor of the next page (RFC 9865 §2); absent on the last page.
    public var nextCursor: String?
    /// The cursor of the page before this one (RFC 9865 §2, optional).
    public var previousCursor: String?

    public init(
        totalResults: Int?, startIndex: Int? = nil, itemsPerPage: Int? = nil, resources: [SCIMResource],
        nextCursor: String? = nil, previousCursor: String? = nil
    ) {
        self.totalResults = totalResults
        self.startIndex = startIndex
        self.itemsPerPage = itemsPerPage
        self.resources = resources
        self.nextCursor = nextCursor
        self.previousCursor = previousCursor
    }

    /// The response body, with `schemas` first as in the RFC's examples.
    public var json: SCIMValue {
        var o: SCIMObject = ["schemas": [.string(SchemaURN.listResponse)]]
        if let totalResults { o["totalResults"] = .integer(Int64(totalResults)) }
        if let startIndex { o["startIndex"] = .integer(Int64(startIndex)) }
        if let itemsPerPage { o["itemsPerPage"] = .integer(Int64(itemsPerPage)) }
        if let nextCursor { o["nextCursor"] = .string(nextCursor) }
        if let previousCursor { o["previousCursor"] = .string(previousCursor) }
        o["Resources"] = .array(resources.map { .object($0.attributes) })
        return .object(o)
    }

    /// Reads a response body. `Resources` may be absent when nothing matched (RFC 7644
    /// §3.4.2: "MAY be empty"); member names compare case-insensitively. `totalResults` may
    /// be absent only from a page that carries a cursor (RFC 9865 §2).
    public init(json: SCIMValue) throws(SCIMError) {
        guard let o = json.objectValue else { throw .invalidSyntax("ListResponse: body is not a JSON object") }
        nextCursor = try Self.text(o, "nextCursor")
        previousCursor = try Self.text(o, "previousCursor")
        totalResults = try Self.count(o, "totalResults")
        if totalResults == nil, nextCursor == nil, previousCursor == nil {
            throw .invalidSyntax("ListResponse: 'totalResults' is missing")
        }
        startIndex = try Self.count(o, "startIndex")
        itemsPerPage = try Self.count(o, "itemsPerPage")
        switch o["Resources"] {
        case nil, .null?:
            resources = []
        case .array(let list)?:
            var out: [SCIMResource] = []
            out.reserveCapacity(list.count)
            for (k, element) in list.enumerated() {
                guard let r = element.objectValue else {
                    throw .invalidSyntax("ListResponse: 'Resources'[\(k)] is not a JSON object")
                }
                out.append(SCIMResource(r))
            }
            resources = out
        case .bool?, .integer?, .decimal?, .string?, .object?:
            throw .invalidSyntax("ListResponse: 'Resources' is not an array")
        }
    }

    private static func text(_ o: SCIMObject, _ key: String) throws(SCIMError) -> String? {
        switch o[key] {
        case nil, .null?: return nil
        case .string(let text)?: return text.isEmpty ? nil : text
        case .bool?, .integer?, .decimal?, .array?, .object?:
            throw .invalidSyntax("ListResponse: '\(key)' is not a string")
        }
    }

    private static func count(_ o: SCIMObject, _ key: String) throws(SCIMError) -> Int? {
        switch o[key] {
        case nil, .null?: return nil
        case .integer(let n)?:
            guard let n = Int(exactly: n), n >= 0 else { throw .invalidSyntax("ListResponse: '\(key)' is negative") }
            return n
        case .bool?, .decimal?, .string?, .array?, .object?:
            throw .invalidSyntax("ListResponse: '\(key)' is not a non-negative integer")
        }
    }
}
