import TargetKinds
import Directory
import Foundation
import Logging
import OffsetStore
import SCIM
import SCIMClient
import SCIMTarget
import TestSupport

/// A real scim2-server of the test's own, an offset store in a temporary file holding the
/// provider ids, and targets over them.
final class SCIMTargetFixture: Sendable {
    let peer: SCIMPeer
    let client: SCIMClient
    let store: OffsetStore
    let ids: OffsetStoreSCIMIDs
    private let directory: String

    static let userMap = AttributeMap([
        .init(pathText: "id", path: AttributePath(attribute: "id"), column: "id"),
        .init(pathText: "userName", path: AttributePath(attribute: "userName"), column: "username"),
        .init(pathText: "name.givenName", path: AttributePath(attribute: "name", subAttribute: "givenName"), column: "first_name"),
        .init(pathText: "name.familyName", path: AttributePath(attribute: "name", subAttribute: "familyName"), column: "last_name"),
        .init(
            pathText: "emails[type eq \"work\"].value",
            path: AttributePath(
                attribute: "emails", valueFilter: .compare(AttributePath(attribute: "type"), .eq, "work"), subAttribute: "value"),
            column: "email"),
        .init(pathText: "active", path: AttributePath(attribute: "active"), column: "is_active"),
    ])
    static let groupMap = AttributeMap([
        .init(pathText: "id", path: AttributePath(attribute: "id"), column: "id"),
        .init(pathText: "displayName", path: AttributePath(attribute: "displayName"), column: "name"),
    ])
    static let layout = DirectoryLayout(
        users: UsersTable(table: "sync_users", attributes: userMap),
        groups: GroupsTable(table: "sync_groups", attributes: groupMap),
        membership: MembershipTable(table: "sync_users_groups_rel", user: "user_id", group: "group_id"))

    /// Starts the provider (without holding a thread while it starts).
    static func make() async throws -> SCIMTargetFixture {
        try SCIMTargetFixture(peer: await SCIMPeer.start())
    }

    private init(peer: SCIMPeer) throws {
        self.peer = peer
        client = try SCIMClient(
            baseURL: peer.url, token: peer.token, policy: RetryPolicy(initialDelay: .milliseconds(20), maximumAttempts: 3))
        directory = NSTemporaryDirectory() + "scim-target-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        store = try OffsetStore(path: directory + "/offsets.db")
        ids = OffsetStoreSCIMIDs(store: store, pipeline: "to-scim")
    }

    deinit {
        peer.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A target as the daemon opens it (a new one is a restart: same store, same provider).
    func target(adopt: Bool = false, membersPerPatch: Int = 100, token: String? = nil) throws -> SCIMTarget {
        let client = try token.map { try SCIMClient(baseURL: peer.url, token: $0, policy: RetryPolicy(maximumAttempts: 1)) }
        return SCIMTarget(
            client: client ?? self.client, ids: ids,
            options: SCIMTargetOptions(
                adopt: adopt, membersPerPatch: membersPerPatch, managed: ManagedAttributes(layout: Self.layout)),
            logger: Logger(label: "scim-target-test"))
    }

    /// A user as the source's row mapper makes it.
    static func user(_ id: String, _ userName: String, given: String = "Barbara", family: String = "Jensen") -> SCIMResource {
        SCIMResource([
            "schemas": [.string(SchemaURN.user)], "id": .string(id), "userName": .string(userName),
            "name": ["givenName": .string(given), "familyName": .string(family)],
            "emails": [["type": "work", "value": .string("\(userName)@example.com")]], "active": true,
        ])
    }

    static func group(_ id: String, _ name: String) -> SCIMResource {
        SCIMResource(["schemas": [.string(SchemaURN.group)], "id": .string(id), "displayName": .string(name)])
    }

    /// The provider id scimsync recorded for a source resource.
    func providerID(_ sourceID: String, _ kind: ResourceKind) throws -> String? {
        if case .mapped(let id)? = try ids.entry(sourceID, kind: kind) { return id }
        return nil
    }

    /// What the provider holds for a source resource, read back with GET.
    func held(_ sourceID: String, _ kind: ResourceKind) async throws -> SCIMResource? {
        guard let id = try providerID(sourceID, kind) else { return nil }
        return try await client.get(id, at: kind == .user ? .users : .groups)
    }

    /// Every resource of an endpoint, without `meta` (which changes with every write),
    /// sorted by id: for comparing the provider's whole state.
    func all(_ endpoint: SCIMEndpoint) async throws -> [SCIMObject] {
        var resources: [SCIMObject] = []
        var start = 1
        while true {
            let page = try await client.search(endpoint, startIndex: start, count: 100)
            for resource in page.resources {
                var object = resource.attributes
                _ = object.removeValue(forKey: "meta")
                if var members = object["members"]?.arrayValue {
                    members.sort { ($0.objectValue?["value"]?.stringValue ?? "") < ($1.objectValue?["value"]?.stringValue ?? "") }
                    object["members"] = .array(members)
                }
                resources.append(object)
            }
            start += page.resources.count
            if page.resources.isEmpty || start > (page.totalResults ?? 0) { break }
        }
        return resources.sorted { ($0["id"]?.stringValue ?? "") < ($1["id"]?.stringValue ?? "") }
    }

    func memberIDs(ofGroup sourceID: String) async throws -> Set<String> {
        Set(try await held(sourceID, .group)?.memberIDs ?? [])
    }
}
