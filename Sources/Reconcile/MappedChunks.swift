import Directory
import SCIM

/// Rows in key order, a chunk at a time, turned into the elements a merge-join compares.
public struct MappedChunks<Element>: OrderedChunks {
    private let nextRows: () throws -> [Row]?
    private let map: (Row) throws -> Element?

    public init(nextRows: @escaping () throws -> [Row]?, map: @escaping (Row) throws -> Element?) {
        self.nextRows = nextRows
        self.map = map
    }

    public mutating func next() throws -> [Element]? {
        guard let rows = try nextRows() else { return nil }
        return try rows.compactMap(map)
    }
}

extension DirectoryLayout {
    /// A users or groups row as reconciliation compares it, through `mapper` (made once per
    /// pass: a mapper resolves its attribute map when it is made).
    public func entry(_ kind: ResourceKind, row: Row, mapper: RowMapper) throws -> DirectoryEntry {
        DirectoryEntry(
            id: try mapper.id(in: row), resource: try mapper.resource(from: row),
            parentID: kind == .group ? try parentID(inGroupsRow: row) : nil)
    }

    /// ``entry(_:row:mapper:)`` for a source row: one the map cannot convert comes back
    /// ``DirectoryEntry/unreadable``, with its id, so that one bad value does not stop the
    /// pass. A row whose id cannot be read throws.
    public func sourceEntry(_ kind: ResourceKind, row: Row, mapper: RowMapper) throws -> DirectoryEntry {
        do {
            return try entry(kind, row: row, mapper: mapper)
        } catch let error as RowMappingError {
            let id = try mapper.id(in: row)
            return DirectoryEntry(id: id, resource: SCIMResource(["id": .string(id)]), unreadable: error.description)
        }
    }

    /// The membership a relation row, or a users row's group column, holds.
    public func membership(in row: Row) throws -> Membership? {
        membership != nil ? try membership(inRelationRow: row) : try membership(inUsersRow: row)
    }
}
