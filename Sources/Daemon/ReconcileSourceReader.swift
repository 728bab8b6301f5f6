import Directory
import MySQLSource
import Reconcile
import SCIM
import SCIMClient
import SCIMSource

/// The source side of a reconciliation pass, in the order the ids agreed on: a SQL source's
/// consistent snapshot in key order (``SnapshotSourceReader``), or a SCIM provider read page by
/// page and sorted (``SCIMSourceReader``).
protocol ReconcileSourceReader: AnyObject {
    func entries(_ kind: ResourceKind, chunkSize: Int, order: IDOrder) throws -> ClosureChunks<DirectoryEntry>
    func parents(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<(id: String, parent: String?)>
    func memberships(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<Membership>
    /// What error messages call the kind's store.
    func name(_ kind: ResourceKind) -> String
    var membershipsName: String { get }
}

/// A MySQL/MariaDB source as of one consistent snapshot: its tables in key order.
final class SnapshotSourceReader: ReconcileSourceReader {
    let snapshot: ConsistentSnapshot
    let layout: DirectoryLayout

    init(_ snapshot: ConsistentSnapshot, layout: DirectoryLayout) {
        self.snapshot = snapshot
        self.layout = layout
    }

    func entries(_ kind: ResourceKind, chunkSize: Int, order: IDOrder) throws -> ClosureChunks<DirectoryEntry> {
        let layout = self.layout
        // Made once: a mapper resolves its attribute map when it is made.
        guard let mapper = kind == .user ? layout.userMapper : layout.groupMapper,
            let table = kind == .user ? layout.users.table : layout.groups?.table
        else { return ClosureChunks { nil } }
        let rows = SnapshotRows(snapshot, table: table, key: [mapper.idColumn], chunkSize: chunkSize)
        var mapped = MappedChunks(nextRows: rows.next) { try layout.entry(kind, row: $0, mapper: mapper) }
        return ClosureChunks { try mapped.next() }
    }

    func parents(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<(id: String, parent: String?)> {
        let layout = self.layout
        guard let groups = layout.groups, let mapper = layout.groupMapper else { return ClosureChunks { nil } }
        let rows = SnapshotRows(
            snapshot, table: groups.table, key: [mapper.idColumn],
            columns: [mapper.idColumn] + (groups.parent.map { [$0] } ?? []), chunkSize: chunkSize)
        var mapped = MappedChunks(nextRows: rows.next) { row -> (id: String, parent: String?)? in
            (try mapper.id(in: row), try layout.parentID(inGroupsRow: row))
        }
        return ClosureChunks { try mapped.next() }
    }

    func memberships(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<Membership> {
        let layout = self.layout
        let rows: SnapshotRows
        if let relation = layout.membership {
            rows = SnapshotRows(
                snapshot, table: relation.table, key: [relation.user, relation.group],
                columns: [relation.user, relation.group], chunkSize: chunkSize)
        } else {
            let idColumn = layout.userMapper.idColumn
            rows = SnapshotRows(
                snapshot, table: layout.users.table, key: [idColumn], columns: [idColumn] + (layout.users.group.map { [$0] } ?? []),
                chunkSize: chunkSize)
        }
        var mapped = MappedChunks(nextRows: rows.next) { try layout.membership(in: $0) }
        return ClosureChunks { try mapped.next() }
    }

    func name(_ kind: ResourceKind) -> String {
        "source table \(kind == .user ? layout.users.table : layout.groups?.table ?? "groups")"
    }

    var membershipsName: String { "source table \(layout.membership?.table ?? layout.users.table)" }
}

/// A SCIM service provider as a reconciliation's source (the full pull of a `source: scim:`
/// pipeline): every user and group read page by page, held and sorted by the provider's id
/// (providers cannot be asked for a byte order), groups' members as memberships. Blocking:
/// called on the pass's own thread, never on Swift's cooperative pool.
final class SCIMSourceReader: ReconcileSourceReader {
    private let client: SCIMClient
    private let pageSize: Int
    /// The latest `meta.lastModified` of the last read: where incremental polls go on.
    private(set) var watermark = SCIMWatermark()

    init(client: SCIMClient, pageSize: Int) {
        self.client = client
        self.pageSize = pageSize
    }

    func entries(_ kind: ResourceKind, chunkSize: Int, order: IDOrder) throws -> ClosureChunks<DirectoryEntry> {
        let entries = try read(kind).map { resource in
            var attributes = resource.attributes
            _ = attributes.removeValue(forKey: "meta")
            _ = attributes.removeValue(forKey: "members")
            return DirectoryEntry(id: resource.id ?? "", resource: SCIMResource(attributes))
        }.sorted { order.compare($0.id, $1.id) < 0 }
        return chunks(entries, chunkSize)
    }

    func parents(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<(id: String, parent: String?)> {
        chunks(try read(.group).map { (id: $0.id ?? "", parent: String?.none) }.sorted { order.compare($0.id, $1.id) < 0 }, chunkSize)
    }

    func memberships(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<Membership> {
        var memberships: [Membership] = []
        for group in try read(.group) {
            guard let groupID = group.id else { continue }
            memberships += group.memberIDs.map { Membership(groupID: groupID, userID: $0) }
        }
        return chunks(memberships.sorted { order.compare($0, $1) < 0 }, chunkSize)
    }

    func name(_ kind: ResourceKind) -> String { "SCIM source's \(kind == .user ? "/Users" : "/Groups")" }
    var membershipsName: String { "SCIM source's group members" }

    private func read(_ kind: ResourceKind) throws -> [SCIMResource] {
        let (client, pageSize) = (self.client, self.pageSize)
        let resources = try runBlocking { () async throws -> [SCIMResource] in
            var all: [SCIMResource] = []
            try await client.forEachPage(kind == .user ? .users : .groups, pageSize: pageSize) { all += $0 }
            return all
        }
        watermark.advance(past: resources)
        return resources.filter { $0.id?.isEmpty == false }
    }
}

/// Serves a sorted array a chunk at a time.
func chunks<Element>(_ elements: [Element], _ size: Int) -> ClosureChunks<Element> {
    var start = 0
    return ClosureChunks {
        guard start < elements.count else { return nil }
        defer { start += size }
        return Array(elements[start..<min(start + size, elements.count)])
    }
}

extension SourceIDTypes {
    /// A SCIM provider's ids: text (RFC 7643 §3.1), compared byte by byte.
    static var scim: SourceIDTypes { SourceIDTypes(scimProvider: ()) }

    private init(scimProvider: Void) {
        users = .text(maxLength: nil)
        groups = .text(maxLength: nil)
        membershipUsers = .text(maxLength: nil)
    }
}
