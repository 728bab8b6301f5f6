import Directory

extension LoadPhase {
    /// Starts reading the phase as ``read`` does, except that a row of a row phase
    /// (``rows``) that its map cannot convert (a value that is not UTF-8 text, say) is set
    /// aside as a resource the load refused instead of stopping the load: the stream
    /// quarantines such a row, and one row must not stop a first load either. The SQL
    /// targets map rows themselves and do the same. A row whose id cannot be read still
    /// throws the map's error: without an id there is nothing to set aside.
    public func readSettingAsideUnmappable() -> () throws -> LoadChunk? {
        guard let rows else {
            let next = read()
            return { try next().map { LoadChunk(ops: $0) } }
        }
        let next = rows.read()
        let mapper = rows.mapper
        return { try next().map(mapper.createsSettingAsideUnmappable) }
    }
}

extension RowMapper {
    /// The creates `rows` map to, with the rows the map cannot convert set aside (in one go
    /// when every row converts, as nearly always).
    /// - Throws: the map's error for a row whose id cannot be read.
    public func createsSettingAsideUnmappable(_ rows: [Row]) throws(RowMappingError) -> LoadChunk {
        if let ops = try? creates(rows) { return LoadChunk(ops: ops) }
        var ops: [ResourceOp] = []
        var unmapped: [UnmappableRow] = []
        for row in rows {
            do throws(RowMappingError) {
                ops += try creates([row])
            } catch {
                unmapped.append(UnmappableRow(kind: kind, id: try id(in: row), table: table, reason: error.description))
            }
        }
        return LoadChunk(ops: ops, unmapped: unmapped)
    }
}

/// A chunk of a load phase: the operations, and the rows set aside.
public struct LoadChunk: Sendable {
    public var ops: [ResourceOp]
    public var unmapped: [UnmappableRow]

    public init(ops: [ResourceOp], unmapped: [UnmappableRow] = []) {
        self.ops = ops
        self.unmapped = unmapped
    }

    public var isEmpty: Bool { ops.isEmpty && unmapped.isEmpty }
}

/// A source row its map cannot convert, set aside by a load.
public struct UnmappableRow: Sendable, Hashable {
    public var kind: ResourceKind
    public var id: String
    /// The source table it was read from.
    public var table: String
    /// The map's error, which names the column, never the value.
    public var reason: String

    public init(kind: ResourceKind, id: String, table: String, reason: String) {
        self.kind = kind
        self.id = id
        self.table = table
        self.reason = reason
    }

    /// The row as a refused resource, for a target without quarantine reasons of its own.
    public var quarantined: QuarantinedResource {
        let subject = QuarantineSubject(kind, id)
        return QuarantinedResource(kind: subject.kind, id: subject.id, reason: "the source row does not map to a resource: \(reason)")
    }
}
