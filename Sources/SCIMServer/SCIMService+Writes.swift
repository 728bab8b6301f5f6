import Directory
import Foundation
import SCIM
import Targets

// POST, PUT, PATCH and DELETE (RFC 7644 §3.3, §3.5, §3.6). Each write is one transaction on
// one connection; the resource returned is read back after it.
extension SCIMService {
    /// Creates a resource and returns it as stored.
    func create(_ kind: ResourceKind, body: SCIMValue, base: String, withMemberships: Bool = true) async throws
        -> SCIMResource
    {
        let input = try ResourceInput(body, kind: kind)
        let members = input.memberIDs ?? []
        try checkMemberCount(members.count)
        var newResource = input.resource
        let now = Self.now()
        newResource.attributes["meta"] = ["created": .string(now), "lastModified": .string(now)]
        let stored = newResource
        let id = try await settingUserName(kind == .user ? [stored.userName].compactMap { $0 } : []) {
            try await pool.run { target -> String in
                try Self.checkRequired(kind, stored, in: target)
                try Self.checkUnique(kind, stored, excluding: nil, in: target)
                try Self.checkMembersExist(members, in: target)
                return try target.insert(kind, stored, memberIDs: members)
            }
        }
        guard let created = try await resource(kind, id: id, base: base, withMemberships: withMemberships, afterAWrite: true)
        else {
            throw SCIMError(status: 500, detail: "the new resource could not be read back")
        }
        return created
    }

    /// Replaces a resource's attributes (PUT). Members are replaced when the body has
    /// `members`, left as they are when it does not (a client that omits them, as Okta's
    /// group pushes do, does not mean "remove everyone").
    func replace(
        _ kind: ResourceKind, id: String, body: SCIMValue, ifMatch: String?, base: String, withMemberships: Bool = true
    ) async throws -> SCIMResource {
        let input = try ResourceInput(body, kind: kind)
        try checkMemberCount(input.memberIDs?.count ?? 0)
        try await settingUserName(kind == .user ? [input.resource.userName].compactMap { $0 } : []) {
            try await write(kind, id: id, ifMatch: ifMatch, loadMembers: input.memberIDs != nil) { current, target in
                var replacement = input.resource
                replacement.attributes["id"] = .string(id)
                var meta: SCIMObject = ["lastModified": .string(Self.now())]
                if let created = current.attributes["meta"]?.objectValue?["created"] { meta["created"] = created }
                replacement.attributes["meta"] = .object(meta)
                try Self.checkRequired(kind, replacement, in: target)
                try Self.checkUnique(kind, replacement, excluding: id, in: target)
                var ops: [ResourceOp] = [.create(kind, replacement)]
                if let wanted = input.memberIDs {
                    ops += try Self.memberOps(groupID: id, from: current.memberIDs, to: wanted, in: target)
                }
                return ops
            }
        }
        return try await readBack(kind, id: id, base: base, withMemberships: withMemberships)
    }

    /// Applies a PATCH request (RFC 7644 §3.5.2).
    func patch(
        _ kind: ResourceKind, id: String, body: SCIMValue, ifMatch: String?, base: String, withMemberships: Bool = true
    ) async throws -> SCIMResource {
        let request = try PatchRequest(json: body, schemas: kind.schemas)
        if request.operations.count > settings.maxOperations {
            throw SCIMError(
                status: 413,
                detail: "the request holds \(request.operations.count) operations; at most \(settings.maxOperations) per PATCH: send the rest in another request")
        }
        for operation in request.operations {
            if let path = operation.path, path.schema == nil || path.schema?.caseInsensitiveEquals(kind.coreSchema) == true {
                let readOnly = ["id", "meta"] + (kind == .user ? ["groups"] : [])
                if readOnly.contains(where: { path.attribute.caseInsensitiveEquals($0) }) {
                    throw SCIMError.mutability("\(path.attribute) is read-only")
                }
            }
        }
        let changes = kind == .group ? try MemberChanges(request.operations) : MemberChanges(nonGroup: request.operations)
        try checkMemberCount(changes.added.count + changes.removed.count)
        try await settingUserName(kind == .user ? Self.userNames(in: request.operations) : []) {
            try await write(kind, id: id, ifMatch: ifMatch, loadMembers: changes.needsMembers) { current, target in
                var ops: [ResourceOp] = []
                var before = current
                for attribute in ["members", "groups"] { before.attributes[attribute] = nil }
                var after = before
                if !changes.others.isEmpty {
                    let patched = try current.applying(changes.others, schemas: kind.schemas)
                    guard patched.id == id else { throw SCIMError.mutability("id cannot be changed") }
                    if kind == .user, patched.attributes["groups"] != current.attributes["groups"] {
                        throw SCIMError.mutability("groups is read-only; change a group's members instead")
                    }
                    after = patched
                    for attribute in ["members", "groups"] { after.attributes[attribute] = nil }
                    if changes.needsMembers {
                        ops += try Self.memberOps(groupID: id, from: current.memberIDs, to: patched.memberIDs, in: target)
                    }
                }
                try Self.checkMembersExist(changes.added, in: target)
                // No user's id holds a NUL (a written NUL is refused), so no such member is
                // there to remove; PostgreSQL and SQLite would refuse the statement that looks.
                ops += changes.removed.filter { !$0.utf8.contains(0) }.map { .removeMember(groupID: id, userID: $0) }
                ops += changes.added.map { .addMember(groupID: id, userID: $0) }
                if before != after {
                    try Self.checkRequired(kind, after, patching: true, in: target)
                    try Self.checkUnique(kind, after, excluding: id, in: target)
                }
                if Self.mapsLastModified(kind, in: target), before != after || !ops.isEmpty {
                    // A layout that maps meta.lastModified learns of every change, members included
                    // (RFC 7643 §3.1: "the most recent DateTime that the details of this resource
                    // were updated"); the row is written whole with the new time.
                    var meta = after.attributes["meta"]?.objectValue ?? SCIMObject()
                    meta["lastModified"] = .string(Self.now())
                    after.attributes["meta"] = .object(meta)
                    ops.insert(.create(kind, after), at: 0)
                } else if before != after {
                    var a = before
                    var b = after
                    a.attributes["meta"] = nil
                    b.attributes["meta"] = nil
                    let operations = patchOperations(from: a, to: b, schemas: kind.schemas)
                    if !operations.isEmpty { ops.insert(.patch(kind, id: id, operations), at: 0) }
                }
                return ops
            }
        }
        return try await readBack(kind, id: id, base: base, withMemberships: withMemberships)
    }

    /// Deletes a resource and its memberships. A group with child groups is refused (409)
    /// rather than leaving its children without a parent behind the client's back.
    func delete(_ kind: ResourceKind, id: String, ifMatch: String?) async throws {
        try await write(kind, id: id, ifMatch: ifMatch, loadMembers: false) { _, target in
            if kind == .group {
                let children = try target.childGroupCount(of: id)
                if children > 0 {
                    throw SCIMError(
                        status: 409,
                        detail: "group \(id) is the parent of \(children) group\(children == 1 ? "" : "s"): move or delete \(children == 1 ? "it" : "them") first")
                }
            }
            return [.delete(kind, id: id)]
        }
    }

    // MARK: Helpers

    /// Runs `body` under ``userNames`` for the userNames the write may set, so that its
    /// uniqueness check and its write are not interleaved with another write of those names.
    private func settingUserName<T>(_ names: [String], _ body: () async throws -> T) async throws -> T {
        guard !names.isEmpty else { return try await body() }
        return try await userNames.run(names, body)
    }

    /// The userNames a user PATCH may set: the values of operations on `userName`, and of
    /// `userName` in path-less ones. A value that is no string sets no name: the write refuses it.
    static func userNames(in operations: [PatchOperation]) -> [String] {
        guard namesUserName(operations) else { return [] }
        var names: [String] = []
        for operation in operations {
            if let path = operation.path {
                if path.attribute.caseInsensitiveEquals("userName"), case .string(let name)? = operation.value {
                    names.append(name)
                }
            } else if let members = operation.value?.objectValue?.members {
                for (key, value) in members where key.caseInsensitiveEquals("userName") {
                    if case .string(let name) = value { names.append(name) }
                }
            }
        }
        return names
    }

    /// Whether a user PATCH may set `userName`: an operation with that path, or a path-less
    /// value holding it (core-schema URN prefixes are gone once the value is parsed).
    static func namesUserName(_ operations: [PatchOperation]) -> Bool {
        operations.contains { operation in
            if let path = operation.path {
                return path.attribute.caseInsensitiveEquals("userName")
                    && (path.schema == nil || path.schema?.caseInsensitiveEquals(SchemaURN.user) == true)
            }
            return operation.value?.objectValue?.members.contains { $0.0.caseInsensitiveEquals("userName") } ?? false
        }
    }

    /// 413 when a request names more members than `maxMembers`.
    func checkMemberCount(_ count: Int) throws {
        guard count > settings.maxMembers else { return }
        throw SCIMError(
            status: 413,
            detail: "the request names \(count) members; at most \(settings.maxMembers) per request: send the rest in another request")
    }

    /// The current time as RFC 3339 (`meta.created`, `meta.lastModified`).
    static func now() -> String {
        Date.now.formatted(.iso8601)
    }

    /// Whether the layout stores `meta.lastModified`.
    static func mapsLastModified(_ kind: ResourceKind, in target: SQLTarget) -> Bool {
        let mapper = kind == .user ? target.layout.userMapper : target.layout.groupMapper
        return mapper?.attributes.entries.contains { entry in
            entry.path.attribute.caseInsensitiveEquals("meta") && entry.path.subAttribute?.caseInsensitiveEquals("lastModified") == true
        } ?? false
    }

    /// Reads the resource (404 when absent), checks `If-Match` against its version, and
    /// applies the operations `body` makes from it: one transaction on one connection, with
    /// the resource's row locked from the read to the commit, so that a concurrent DELETE, PUT
    /// or PATCH of the same resource waits for this one instead of being undone by it.
    private func write(
        _ kind: ResourceKind, id: String, ifMatch: String?, loadMembers: Bool,
        _ body: @escaping @Sendable (SCIMResource, SQLTarget) throws -> [ResourceOp]
    ) async throws {
        // If-Match compares with the full version, which covers memberships.
        let withMemberships = hasMemberships && (loadMembers || ifMatch != nil)
        let versioned = withMemberships || !hasMemberships
        try await pool.run { target in
            try target.writeLocked(kind, id: id) { apply in
                guard let stored = try target.resource(kind, id: id) else {
                    throw SCIMError(status: 404, detail: "\(kind.rawValue) \(id) not found")
                }
                let memberships = withMemberships ? try Self.memberships(kind, of: [id], in: target) : [:]
                let current = Self.attach(memberships[id], kind: kind, to: stored, loaded: withMemberships)
                if let ifMatch, versioned, !ResourceVersion.header(ifMatch, matches: ResourceVersion.of(current)) {
                    throw SCIMError(status: 412, detail: "the resource has changed since the version in If-Match")
                }
                let ops = try body(current, target)
                if !ops.isEmpty { try apply(ops) }
            }
        }
    }

    /// The resource after a write; its memberships only when the response returns them (a
    /// member PATCH of a large group with `excludedAttributes=members` reads no other member).
    private func readBack(_ kind: ResourceKind, id: String, base: String, withMemberships: Bool) async throws
        -> SCIMResource
    {
        guard
            let stored = try await resource(kind, id: id, base: base, withMemberships: withMemberships, afterAWrite: true)
        else {
            throw SCIMError(status: 404, detail: "\(kind.rawValue) \(id) not found")
        }
        return stored
    }

    /// 400 naming the attributes whose NOT NULL column the write would leave empty: a body
    /// that leaves one out is an `invalidValue` ("A required value was missing", RFC 7644
    /// §3.12) unless the column has a DEFAULT, which is then stored, as an INSERT would.
    ///
    /// A PATCH that would leave any of them unassigned, DEFAULT or not, is a `mutability`
    /// error (§3.5.2: "If an attribute is removed or becomes unassigned and is defined as a
    /// required attribute ... the server SHALL return ... a "scimType" error code of
    /// "mutability"").
    static func checkRequired(
        _ kind: ResourceKind, _ resource: SCIMResource, patching: Bool = false, in target: SQLTarget
    ) throws {
        let missing = target.missingRequiredAttributes(kind, resource, withDefaults: patching)
        guard !missing.isEmpty else { return }
        let names = missing.joined(separator: ", ")
        let one = missing.count == 1
        if patching {
            throw SCIMError.mutability(
                "\(names) \(one ? "is" : "are") required by this directory (a NOT NULL column): replace \(one ? "it" : "them") instead of removing \(one ? "it" : "them")")
        }
        throw SCIMError.invalidValue(
            "\(names) \(one ? "is" : "are") required by this directory (a NOT NULL column without a default): send \(one ? "it" : "them")")
    }

    /// 409 when another user has the `userName` (RFC 7643 §4.1.1: unique, case-insensitive).
    static func checkUnique(_ kind: ResourceKind, _ resource: SCIMResource, excluding id: String?, in target: SQLTarget)
        throws
    {
        guard kind == .user, let userName = resource.attributes["userName"]?.stringValue else { return }
        let holders =
            try target.ids(.user, where: AttributePath(attribute: "userName"), equals: .string(userName))
            + target.userIDs(equalIgnoringCase: userName)
        if holders.contains(where: { $0 != id }) {
            throw SCIMError.uniqueness("userName is already taken by another user")
        }
    }

    /// 400 when a member to add is not a user of this directory.
    static func checkMembersExist(_ ids: [String], in target: SQLTarget) throws {
        guard !ids.isEmpty else { return }
        if let missing = ids.first(where: { $0.utf8.contains(0) }) {
            // No user's id holds a NUL, and PostgreSQL and SQLite would refuse the lookup.
            throw SCIMError.invalidValue("member \(missing.debugDescription) is not a user of this directory")
        }
        let found = try target.existingIDs(ids, of: .users)
        if let missing = ids.first(where: { !found.contains($0) }) {
            throw SCIMError.invalidValue("member \(missing) is not a user of this directory")
        }
    }

    /// The additions and removals that turn `current` members into `wanted`.
    static func memberOps(groupID: String, from current: [String], to wanted: [String], in target: SQLTarget) throws
        -> [ResourceOp]
    {
        let have = Set(current)
        let want = Set(wanted)
        let added = wanted.filter { !have.contains($0) }
        try checkMembersExist(added, in: target)
        return current.filter { !want.contains($0) }.map { .removeMember(groupID: groupID, userID: $0) }
            + added.map { .addMember(groupID: groupID, userID: $0) }
    }
}

extension MemberChanges {
    /// A user PATCH: every operation is an attribute change.
    init(nonGroup operations: [PatchOperation]) {
        self.init()
        others = operations
    }

    private init() {}
}
