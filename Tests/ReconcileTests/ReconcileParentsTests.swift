import Directory
import Reconcile
import SCIM
import Testing

/// Groups with parents, without a database: a group the target lacks is created and then given
/// its parent, whether the repairs apply the plan's kept decisions or compare again.
@Suite struct ReconcileParentsTests {
    static let layout = DirectoryLayout(
        users: ReconcilePassTests.layout.users,
        groups: GroupsTable(table: "groups", attributes: ReconcileRulesTests.map([("id", "id"), ("displayName", "name")]), parent: "parent_id"))

    static func group(_ id: String, _ name: String) -> DirectoryEntry {
        var object = SCIMObject()
        object["id"] = .string(id)
        object["displayName"] = .string(name)
        return DirectoryEntry(id: id, resource: SCIMResource(object))
    }

    /// The source's tree: 1 is the root, 2 to 9 below it, 10 to 12 below 2.
    static let tree: [(id: String, parent: String?)] =
        [("1", nil)] + (2...9).map { (String($0), "1") } + (10...12).map { (String($0), "2") }

    @Test(arguments: [64 << 20, 0])
    func groupsMissingFromAPartlyLoadedTargetGetTheirParents(keptRepairsBytes: Int) async throws {
        // A load stopped part-way: the target has groups 1 to 4 with their parents, and a user
        // (so it is not empty and the pass plans first).
        let target = GroupTarget(
            groups: Self.tree.prefix(4).map { (Self.group($0.id, "G\($0.id)"), $0.parent) }, users: [ReconcilePassTests.user("1")])
        let ledger = MemoryLedger([LedgerEntry(kind: .user, id: "1")] + (1...4).map { LedgerEntry(kind: .group, id: String($0)) })
        let source = GroupSource(groups: Self.tree.map { (Self.group($0.id, "G\($0.id)"), $0.parent) }, users: [ReconcilePassTests.user("1")])
        let pass = ReconcilePass(
            .init(pipeline: "p", source: Self.layout, target: Self.layout, onDelete: .delete, adopt: false, removalLimit: .count(100)),
            ledger: ledger)
        let outcome = try await pass.run(
            sourceReader: source, sourceTypes: .scim, targetReader: target,
            apply: { ops in
                target.apply(ops)
                return RepairsApplied(ops)
            }, options: ReconcileOptions(chunkSize: 3, keptRepairsBytes: keptRepairsBytes))
        guard case .repaired(let report) = outcome else { Issue.record("expected repairs, got \(outcome)"); return }
        #expect(report.repairs[.createGroup] == 8)
        #expect(target.parentsByID == Dictionary(uniqueKeysWithValues: Self.tree.map { ($0.id, $0.parent ?? "-") }))
        let again = try await pass.run(
            sourceReader: source, sourceTypes: .scim, targetReader: target,
            apply: { ops in
                target.apply(ops)
                return RepairsApplied(ops)
            }, options: ReconcileOptions(chunkSize: 3))
        guard case .clean = again else { Issue.record("drift left after the repairs: \(again)"); return }
    }
}

/// A source of groups with parents and users, in memory.
final class GroupSource: ReconcileSourceReader {
    let groups: [(entry: DirectoryEntry, parent: String?)]
    let users: [DirectoryEntry]

    init(groups: [(DirectoryEntry, String?)], users: [DirectoryEntry]) {
        self.groups = groups.map { (entry: $0.0, parent: $0.1) }.sorted { IDOrder.binary.precedes($0.entry.id, $1.entry.id) }
        self.users = users.sorted { IDOrder.binary.precedes($0.id, $1.id) }
    }

    func entries(_ kind: ResourceKind, chunkSize: Int, order: IDOrder) throws -> ClosureChunks<DirectoryEntry> {
        chunks(kind == .user ? users : groups.map(\.entry), chunkSize)
    }

    func parents(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<(id: String, parent: String?)> {
        chunks(groups.map { (id: $0.entry.id, parent: $0.parent) }, chunkSize)
    }

    func memberships(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<Membership> { chunks([], chunkSize) }
    func name(_ kind: ResourceKind) -> String { "memory source" }
    var membershipsName: String { "memory source" }
}

/// A target of groups with parents and users in memory. As SQL targets do, it creates a group
/// without its parent: `moveParent` sets it.
final class GroupTarget: ReconcileTargetReader {
    private(set) var groups: [String: (entry: DirectoryEntry, parent: String?)]
    private(set) var users: [String: DirectoryEntry]

    init(groups: [(DirectoryEntry, String?)], users: [DirectoryEntry]) {
        self.groups = Dictionary(uniqueKeysWithValues: groups.map { ($0.0.id, (entry: $0.0, parent: $0.1)) })
        self.users = Dictionary(uniqueKeysWithValues: users.map { ($0.id, $0) })
    }

    /// Each group's parent, "-" for a root.
    var parentsByID: [String: String] { groups.mapValues { $0.parent ?? "-" } }

    func apply(_ ops: [ResourceOp]) {
        for op in ops {
            switch op {
            case .create(.group, let resource):
                groups[resource.id ?? ""] = (DirectoryEntry(id: resource.id ?? "", resource: resource), nil)
            case .create(_, let resource): users[resource.id ?? ""] = DirectoryEntry(id: resource.id ?? "", resource: resource)
            case .delete(.group, let id): groups[id] = nil
            case .delete(_, let id): users[id] = nil
            case .moveParent(let id, let parent): groups[id]?.parent = parent
            default: break
            }
        }
    }

    func idOrders(source: SourceIDTypes, pipeline: String) throws -> IDOrders { IDOrders(sameAs: source) }
    func isEmpty() throws -> Bool { users.isEmpty && groups.isEmpty }

    func entries(_ kind: ResourceKind, chunkSize: Int, order: IDOrder) throws -> ClosureChunks<DirectoryEntry> {
        let entries = kind == .user ? Array(users.values) : groups.values.map(\.entry)
        return chunks(entries.sorted { order.precedes($0.id, $1.id) }, chunkSize)
    }

    func parents(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<(id: String, parent: String?)> {
        chunks(groups.values.map { (id: $0.entry.id, parent: $0.parent) }.sorted { order.precedes($0.id, $1.id) }, chunkSize)
    }

    func memberships(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<Membership> { chunks([], chunkSize) }
    func existingUserIDs(_ ids: [String]) throws -> Set<String> { Set(ids.filter { users[$0] != nil }) }
    func name(_ kind: ResourceKind) -> String { "memory target" }
    var membershipsName: String { "memory target" }
}
