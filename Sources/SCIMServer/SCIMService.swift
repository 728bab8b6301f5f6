import Directory
import Foundation
import Logging
import SCIM
import Targets

/// What `scimsync serve` does with each request, apart from HTTP: reads and writes of the
/// SQL directory through the layout, SCIM resources in and out.
///
/// Reads never load what a response leaves out: a list with `excludedAttributes=members`
/// reads no relation row, whatever the groups' sizes. Writes go to the layout's tables in one
/// transaction each, through the same SQL target the replicator uses, so a CDC pipeline
/// reading that database streams them on.
public final class SCIMService: Sendable {
    let pool: DirectoryPool
    let layout: DirectoryLayout
    let settings: SCIMSettings
    let logger: Logger
    /// Attributes whose column is NOT NULL without a DEFAULT, by resource type (path texts as
    /// the layout writes them): `/Schemas` marks them required.
    let requiredAttributes: [ResourceKind: [String]]
    /// Signs the list cursors this server issues, and tells them from any other text.
    let cursorKey: CursorKey
    /// Makes a userName's uniqueness check and its write one step in this process.
    let userNames = UserNameLock()

    /// - Parameter requiredAttributes: from ``Targets/SQLTarget/requiredAttributes(_:)``.
    public init(
        pool: DirectoryPool, layout: DirectoryLayout, settings: SCIMSettings, logger: Logger,
        requiredAttributes: [ResourceKind: [String]] = [:]
    ) {
        self.pool = pool
        self.layout = layout
        self.settings = settings
        self.logger = logger
        self.requiredAttributes = requiredAttributes
        cursorKey = CursorKey(token: settings.token)
    }

    /// Whether the layout stores the resource type (groups need a groups table).
    func supports(_ kind: ResourceKind) -> Bool {
        kind == .user || layout.groups != nil
    }

    var hasMemberships: Bool { layout.membership != nil || layout.users.group != nil }

    // MARK: Reads

    /// A page of a list or search (RFC 7644 §3.4.2), by `startIndex` or by cursor (RFC 9865).
    func list(_ kind: ResourceKind, _ parameters: ListParameters, base: String) async throws -> ListResponse {
        try Self.refuseNeverReturned(kind, parameters)
        let count = min(parameters.count ?? settings.maxPageSize, settings.maxPageSize)
        let byCursor = parameters.cursor != nil
        let digest =
            byCursor
            ? ListCursor.digest(kind: kind, filter: parameters.filter, sortBy: parameters.sortBy, descending: parameters.descending)
            : 0
        let position = try parameters.cursor.flatMap { text throws(SCIMError) in
            text.isEmpty ? nil : try ListCursor(text: text, query: digest, key: cursorKey).position
        }
        // One row more than the page: whether it exists says whether there is a page beyond.
        let query = DirectoryQuery(
            filter: parameters.filter, sortBy: parameters.sortBy, descending: parameters.descending,
            offset: byCursor ? 0 : parameters.startIndex - 1, limit: byCursor ? count + 1 : count, keyset: position)
        let withMemberships = hasMemberships && parameters.selection.includes(kind.membershipAttribute)
        let (total, rows) = try await pool.run { target in
            let query = try Self.matchingCaseBeyondASCII(kind, query, in: target)
            if let position, !target.canStart(kind, query, at: position) {
                // Signed cursors hold what the database gave; this one no longer fits the
                // table (a column's type or width changed since it was issued).
                throw SCIMError.badRequest(
                    .invalidCursor,
                    "the cursor no longer fits this directory's columns: start again with an empty cursor")
            }
            var page: [PageRow] = []
            if count > 0 {
                page = try target.page(kind, query, withGroups: kind == .user && withMemberships)
                if kind == .user, withMemberships {
                    // Users and their groups came in one statement: a lookup is one round trip.
                    page = page.map { row in
                        var row = row
                        row.resource = Self.attach(row.groupIDs ?? [], kind: kind, to: row.resource, loaded: true)
                        return row
                    }
                } else if withMemberships {
                    let memberships = try Self.memberships(kind, of: page.compactMap(\.resource.id), in: target)
                    page = page.map { row in
                        var row = row
                        row.resource = Self.attach(memberships[row.resource.id ?? ""], kind: kind, to: row.resource, loaded: true)
                        return row
                    }
                }
            }
            // A first page shorter than asked for holds every match: no COUNT needed. Later
            // cursor pages leave the total out (RFC 9865 §2 allows it): counting every match
            // on every page is what makes deep paging slow.
            let total: Int?
            if query.offset == 0, position == nil, page.count < query.limit {
                total = page.count
            } else if position != nil {
                total = nil
            } else {
                total = try target.count(kind, matching: query.filter)
            }
            return (total, page)
        }
        var page = rows
        var nextCursor: String?
        var previousCursor: String?
        if byCursor {
            let backward = position?.backward == true
            let more = page.count > count
            if more {
                if backward { page.removeFirst() } else { page.removeLast() }
            }
            let cursor = { (row: PageRow, backward: Bool) in
                var position = row.position
                position.backward = backward
                return ListCursor(position: position, query: digest).text(signedWith: self.cursorKey)
            }
            if let last = page.last, !backward ? more : true { nextCursor = cursor(last, false) }
            if let first = page.first, backward ? more : position != nil { previousCursor = cursor(first, true) }
        }
        let presented = page.map {
            present($0.resource, kind: kind, base: base, versioned: withMemberships || !hasMemberships)
        }
        return ListResponse(
            totalResults: total, startIndex: byCursor ? nil : parameters.startIndex, itemsPerPage: presented.count,
            resources: presented.map { SCIMResource(parameters.selection.apply(to: $0.attributes)) },
            nextCursor: nextCursor, previousCursor: previousCursor)
    }

    /// `userName eq "X"` finds what the uniqueness check finds: userName is not case-exact
    /// (RFC 7643 §4.1.1), but SQLite's `NOCASE` and `LOWER()` in PostgreSQL's C locale fold
    /// ASCII letters alone, so a user named `ÅSA` would be a 409 for `åsa` and yet not be found
    /// by it (a client that looks a user up after a 409, as scimsync's SCIM target does, would
    /// find nothing). For a name with cased letters beyond ASCII, the filter also takes the
    /// ids ``SQLTarget/userIDs(equalIgnoringCase:)`` finds.
    static func matchingCaseBeyondASCII(_ kind: ResourceKind, _ query: DirectoryQuery, in target: SQLTarget) throws
        -> DirectoryQuery
    {
        guard kind == .user, case .compare(let path, .eq, .string(let userName))? = query.filter,
            path.subAttribute == nil, path.valueFilter == nil, path.attribute.caseInsensitiveEquals("userName"),
            path.schema == nil || path.schema?.caseInsensitiveEquals(SchemaURN.user) == true
        else { return query }
        // A few at most in practice (one user per folded name); the filter stays far within
        // its comparison limit.
        let ids = try target.userIDs(equalIgnoringCase: userName).prefix(100)
        guard !ids.isEmpty, let original = query.filter else { return query }
        var widened = query
        widened.filter = ids.reduce(original) { filter, id in
            .or(filter, .compare(AttributePath(attribute: "id"), .eq, .string(id)))
        }
        return widened
    }

    /// A filter or `sortBy` naming an attribute that is never returned (RFC 7643 §2.2) is
    /// refused: matching on it would tell a client its value one guess at a time.
    static func refuseNeverReturned(_ kind: ResourceKind, _ parameters: ListParameters) throws(SCIMError) {
        let hidden = kind.neverReturned
        guard !hidden.isEmpty else { return }
        let isHidden = { (path: AttributePath) in
            (path.schema == nil || path.schema?.caseInsensitiveEquals(kind.coreSchema) == true)
                && hidden.contains { path.attribute.caseInsensitiveEquals($0) }
        }
        if let filter = parameters.filter, let path = filter.attributePaths.first(where: isHidden) {
            throw .invalidFilter("\(path.attribute) cannot be used in a filter: its schema says returned \"never\"")
        }
        if let sortBy = parameters.sortBy, isHidden(sortBy) {
            throw .invalidValue("sortBy: \(sortBy.attribute) cannot be sorted on: its schema says returned \"never\"")
        }
    }

    /// One resource with its memberships (when `withMemberships`) and `meta`, or nil.
    func resource(
        _ kind: ResourceKind, id: String, base: String, withMemberships: Bool = true, afterAWrite: Bool = false
    ) async throws -> SCIMResource? {
        let loadMemberships = withMemberships && hasMemberships
        // After a write, the answer is read whether or not the client is still there: the
        // write committed, and the answer must say so.
        let found = try await pool.run(evenIfTheClientLeft: afterAWrite) { target -> SCIMResource? in
            guard let resource = try target.resource(kind, id: id) else { return nil }
            let memberships = loadMemberships ? try Self.memberships(kind, of: [id], in: target) : [:]
            return Self.attach(memberships[id], kind: kind, to: resource, loaded: loadMemberships)
        }
        return found.map { present($0, kind: kind, base: base, versioned: loadMemberships || !hasMemberships) }
    }

    /// Members of groups, or groups of users.
    static func memberships(_ kind: ResourceKind, of ids: [String], in target: SQLTarget) throws -> [String: [String]] {
        guard !ids.isEmpty else { return [:] }
        switch kind {
        case .group: return try target.memberIDs(ofGroups: ids)
        case .user: return try target.groupIDs(ofUsers: ids)
        }
    }

    /// `members` (`[{value, type: "User"}]`) on a group or `groups` on a user.
    static func attach(_ ids: [String]?, kind: ResourceKind, to resource: SCIMResource, loaded: Bool) -> SCIMResource {
        guard loaded, let ids, !ids.isEmpty else { return resource }
        var copy = resource
        switch kind {
        case .group:
            copy.attributes["members"] = .array(ids.map { .object(["value": .string($0), "type": "User"]) })
        case .user:
            copy.attributes["groups"] = .array(ids.map { .object(["value": .string($0), "type": "direct"]) })
        }
        return copy
    }

    /// The resource with `meta` (resource type, location and, when everything it holds was
    /// read, version) and `$ref`s on its members or groups.
    func present(_ resource: SCIMResource, kind: ResourceKind, base: String, versioned: Bool) -> SCIMResource {
        var copy = resource
        let id = resource.id ?? ""
        for (attribute, endpoint) in [("members", "Users"), ("groups", "Groups")] {
            guard let elements = copy.attributes[attribute]?.arrayValue else { continue }
            copy.attributes[attribute] = .array(elements.map { element in
                guard var object = element.objectValue, let value = object["value"]?.stringValue else { return element }
                object["$ref"] = .string("\(base)/\(endpoint)/\(Self.pathSegment(value))")
                return .object(object)
            })
        }
        var meta = copy.attributes["meta"]?.objectValue ?? SCIMObject()
        // RFC 7643 §2.2: "never ... the attribute MUST never be returned" (a mapped password).
        for name in kind.neverReturned { copy.attributes[name] = nil }
        meta["resourceType"] = .string(kind.rawValue)
        meta["location"] = .string("\(base)/\(kind.endpoint)/\(Self.pathSegment(id))")
        if versioned { meta["version"] = .string(ResourceVersion.of(resource)) }
        copy.attributes["meta"] = .object(meta)
        return copy
    }
}

extension SCIMService {
    /// `id` as one percent-encoded path segment (RFC 3986 §3.3): an id with a space or a
    /// slash still names one resource in a URL.
    ///
    /// Byte by byte rather than through Foundation's `addingPercentEncoding`: this runs for
    /// every resource and every member reference of a response, and Foundation's took 12 µs a
    /// user of a page's CPU. Ids are nearly always plain, and then returned as they are.
    static func pathSegment(_ id: String) -> String {
        guard !id.utf8.allSatisfy(isPathCharacter) else { return id }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(id.utf8.count * 3)
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in id.utf8 {
            if isPathCharacter(byte) {
                bytes.append(byte)
            } else {
                bytes += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// RFC 3986 `pchar` without `%`: unreserved, sub-delims, `:` and `@`.
    private static func isPathCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "!"), UInt8(ascii: "$"),
            UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"),
            UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="), UInt8(ascii: ":"), UInt8(ascii: "@"):
            true
        default:
            false
        }
    }
}

/// What the server needs of its configuration.
public struct SCIMSettings: Sendable {
    public var basePath: String
    public var maxPageSize: Int
    /// Nil: no authentication (`token: none`).
    public var token: String?
    public var maxBodyBytes: Int
    /// The base URL clients reach the server by (`scim.publicURL`, e.g.
    /// `https://scim.example.com/scim/v2`), for `Location` and `meta.location`; nil to use
    /// the request's Host.
    public var publicURL: String?
    /// Whether `X-Forwarded-Proto` is believed (a proxy in front sets it, and clients cannot
    /// reach the server around it).
    public var trustForwardedHeaders: Bool
    /// The most operations one PATCH may hold; more is a 413.
    public var maxOperations: Int
    /// The most members one request may name (a group's `members`, or added and removed in a
    /// PATCH); more is a 413.
    public var maxMembers: Int

    public init(
        basePath: String, maxPageSize: Int, token: String?, maxBodyBytes: Int, publicURL: String? = nil,
        trustForwardedHeaders: Bool = false, maxOperations: Int = 1_000, maxMembers: Int = 50_000
    ) {
        self.maxOperations = maxOperations
        self.maxMembers = maxMembers
        self.basePath = basePath
        self.maxPageSize = maxPageSize
        self.token = token
        self.maxBodyBytes = maxBodyBytes
        self.publicURL = publicURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.trustForwardedHeaders = trustForwardedHeaders
    }
}

extension ResourceKind {
    /// `Users` or `Groups`: the endpoint's name.
    var endpoint: String {
        switch self {
        case .user: "Users"
        case .group: "Groups"
        }
    }

    /// `groups` on users, `members` on groups.
    var membershipAttribute: String {
        switch self {
        case .user: "groups"
        case .group: "members"
        }
    }

    /// Attributes whose schema says `returned: never` (a User's `password`): left out of every
    /// response, and refused in filters and `sortBy`, which would reveal them one guess at a time.
    var neverReturned: [String] {
        switch self {
        case .user: Self.userNeverReturned
        case .group: Self.groupNeverReturned
        }
    }

    private static let userNeverReturned = CoreSchemas.user.attributes.filter { $0.returned == .never }.map(\.name)
    private static let groupNeverReturned = CoreSchemas.group.attributes.filter { $0.returned == .never }.map(\.name)

    var schemas: [SchemaDefinition] {
        switch self {
        case .user: CoreSchemas.userSchemas
        case .group: CoreSchemas.groupSchemas
        }
    }
}
