import SCIM

/// What a list or search asks for (RFC 7644 §3.4.2 and §3.4.3): the same parameters from a
/// URL query or a `SearchRequest` body.
struct ListParameters: Sendable {
    var filter: Filter?
    var sortBy: AttributePath?
    var descending = false
    /// 1-based; values below 1 are 1 (§3.4.2.4).
    var startIndex = 1
    /// Nil: the server's page size. Negative values are 0 (§3.4.2.4).
    var count: Int?
    /// Paging by cursor (RFC 9865 §2) when present: empty for the first page, then a
    /// `nextCursor` or `previousCursor` the server gave. Nil pages by `startIndex`.
    var cursor: String?
    var selection = AttributeSelection()

    /// From a GET's query string.
    init(query: QueryParameters) throws(SCIMError) {
        try self.init(
            filter: query["filter"], sortBy: query["sortBy"], sortOrder: query["sortOrder"],
            startIndex: query["startIndex"].map { .string($0) }, count: query["count"].map { .string($0) },
            cursor: query["cursor"], attributes: query["attributes"].map { .string($0) },
            excludedAttributes: query["excludedAttributes"].map { .string($0) })
    }

    /// From a POST `/.search` body.
    init(search body: SCIMValue) throws(SCIMError) {
        guard let object = body.objectValue else { throw .invalidSyntax("a search request must be a JSON object") }
        let schemas = object["schemas"]?.arrayValue ?? []
        guard schemas.contains(where: { $0.stringValue?.caseInsensitiveEquals(SchemaURN.searchRequest) ?? false }) else {
            throw .invalidSyntax("a search request must list \"\(SchemaURN.searchRequest)\" in \"schemas\"")
        }
        func text(_ key: String) throws(SCIMError) -> String? {
            guard let value = object[key], !value.isNull else { return nil }
            guard let text = value.stringValue else { throw .invalidValue("\"\(key)\" must be a string") }
            return text
        }
        try self.init(
            filter: try text("filter"), sortBy: try text("sortBy"), sortOrder: try text("sortOrder"),
            startIndex: object["startIndex"], count: object["count"], cursor: try text("cursor"),
            attributes: object["attributes"],
            excludedAttributes: object["excludedAttributes"])
    }

    private init(
        filter: String?, sortBy: String?, sortOrder: String?, startIndex: SCIMValue?, count: SCIMValue?,
        cursor: String?, attributes: SCIMValue?, excludedAttributes: SCIMValue?
    ) throws(SCIMError) {
        if let filter, !filter.allSatisfy({ $0 == " " }) {
            do {
                self.filter = try Filter.parse(filter)
            } catch {
                throw .invalidFilter("\(error)")
            }
        }
        if let sortBy, !sortBy.isEmpty {
            do {
                self.sortBy = try AttributePath.parse(sortBy)
            } catch {
                throw .invalidSyntax("sortBy: \(error)")
            }
        }
        if let sortOrder, !sortOrder.isEmpty {
            switch sortOrder.lowercased() {
            case "ascending": descending = false
            case "descending": descending = true
            default: throw .invalidSyntax("sortOrder must be \"ascending\" or \"descending\", not \"\(sortOrder)\"")
            }
        }
        if let first = startIndex, !first.isNull {
            self.startIndex = max(1, try Self.integer(first, "startIndex"))
        }
        if let count, !count.isNull {
            self.count = max(0, try Self.integer(count, "count"))
        }
        if let cursor {
            if let first = startIndex, !first.isNull {
                throw .invalidValue("a list pages either by cursor or by startIndex: send one of them, not both")
            }
            // RFC 9865 §2: "count: A positive integer" when paging by cursor.
            if let count = self.count, count < 1 {
                throw .badRequest(.invalidCount, "count must be at least 1 when paging by cursor")
            }
            self.cursor = cursor
        }
        selection = try AttributeSelection(
            attributes: try Self.list(attributes, "attributes"), excluded: try Self.list(excludedAttributes, "excludedAttributes"))
    }

    private static func integer(_ value: SCIMValue, _ name: String) throws(SCIMError) -> Int {
        switch value {
        case .integer(let number): return Int(clamping: number)
        case .string(let text):
            guard let number = Int(text) else { throw .invalidValue("\(name) must be an integer, not \"\(text)\"") }
            return number
        case .decimal(let number) where number.rounded() == number && abs(number) < 1e15: return Int(number)
        default: throw .invalidValue("\(name) must be an integer")
        }
    }

    /// A comma-separated string (URL) or an array of strings (search body).
    private static func list(_ value: SCIMValue?, _ name: String) throws(SCIMError) -> [String] {
        switch value {
        case nil, .null?: return []
        case .string(let text)?:
            return text.split(separator: ",").map { $0.trimmingSpaces }.filter { !$0.isEmpty }
        case .array(let items)?:
            var names: [String] = []
            for item in items {
                guard let text = item.stringValue else { throw .invalidValue("\(name) must list strings") }
                names += text.split(separator: ",").map { $0.trimmingSpaces }.filter { !$0.isEmpty }
            }
            return names
        default:
            throw .invalidValue("\(name) must be a comma-separated string or an array of strings")
        }
    }
}
