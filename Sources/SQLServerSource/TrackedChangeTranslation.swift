import Connectors
import Directory
import SCIM

/// What one poll's changes mean for the target: operations in apply order, the rows the layout
/// cannot map, the echoes skipped, and whether memberships must be compared with the source.
struct TrackedChangeTranslation: Sendable {
    var ops: [ResourceOp] = []
    var unmapped: [QuarantinedResource] = []
    /// Changes skipped because another scimsync pipeline wrote them from this pipeline's target.
    var echoes = 0
    /// Why the target must be compared with the source now (nil when it need not).
    var resyncReason: String?

    /// Translates `changes` (in any table order) with `mapper`, skipping those whose
    /// `SYS_CHANGE_CONTEXT` is `echo`.
    ///
    /// - Inserts create from the row now, and a group's parent also when it has none. Change
    ///   tracking reports a row inserted and then updated since the version asked for as
    ///   inserted, with its values now. After a crash between the target's commit and the
    ///   version's, the target may already hold that row with a parent it has since lost, and
    ///   a create (an upsert) leaves the parent column alone.
    /// - Deletes carry only the key (all change tracking keeps: "the primary key values of the
    ///   changed row") and delete, deactivate or remove a membership as the mapper's delete
    ///   policy says; updates set the changed mapped columns' attributes
    ///   (``Directory/ChangeMapper/ops(forUpdateOf:row:changedColumns:)``).
    /// - An update with a NULL column mask ("all columns": column tracking off, or the row
    ///   deleted and inserted again since the version asked for) is written whole, as a create
    ///   (an upsert) and the group's parent: after a crash between the target's commit and the
    ///   version's, a replay can report a row the target deleted as updated, and a patch would
    ///   not bring it back.
    /// - A `users.group` column that changed also asks for a resync: the group the user left
    ///   is not in the change.
    /// - Operations are folded and ordered as every source's are (``ResourceOp/ordered(_:)``:
    ///   groups, parents, member removals, user deletes, user writes, member additions, group
    ///   deletes), so that one poll over several tables applies in one target transaction.
    init(_ changes: [TrackedChange], mapper: ChangeMapper, echo: [UInt8]?) {
        var ops: [ResourceOp] = []
        for change in changes {
            if let echo, change.context == echo {
                echoes += 1
                continue
            }
            do {
                switch change.operation {
                case .delete:
                    ops += try mapper.ops(for: RowChange(table: change.table, kind: .delete, before: change.key, after: nil))
                case .insert:
                    guard let row = change.current else { continue }
                    ops += try Self.upsert(change.table, row: row, mapper: mapper)
                case .update:
                    guard let row = change.current else { continue }
                    if resyncReason == nil, mapper.changesMembershipColumn(table: change.table, changedColumns: change.changedColumns) {
                        resyncReason =
                            "a user's group column changed in \(change.table) (change tracking does not keep the group it left)"
                    }
                    if change.changedColumns == nil {
                        ops += try Self.upsert(change.table, row: row, mapper: mapper)
                    } else {
                        ops += try mapper.ops(forUpdateOf: change.table, row: row, changedColumns: change.changedColumns)
                    }
                }
            } catch {
                unmapped.append(Self.quarantined(change, error, layout: mapper.layout))
            }
        }
        self.ops = ResourceOp.ordered(ResourceOp.coalesced(ops))
    }

    /// The whole row as the target must hold it: a create (an upsert by id) and, for a group
    /// of a layout with parents, its parent (also when it has none now).
    static func upsert(_ table: String, row: Row, mapper: ChangeMapper) throws(RowMappingError) -> [ResourceOp] {
        var ops = try mapper.ops(for: RowChange(table: table, kind: .insert, before: nil, after: row))
        let layout = mapper.layout
        if let groups = layout.groups, groups.parent != nil, groups.table.caseInsensitiveEquals(table),
            let groupMapper = layout.groupMapper,
            !ops.contains(where: { if case .moveParent = $0 { true } else { false } })
        {
            ops.append(.moveParent(groupID: try groupMapper.id(in: row), parentID: nil))
        }
        return ops
    }

    /// A row the layout cannot map: its kind and id where it has one, and the reason (which
    /// names table and column, never the value).
    static func quarantined(_ change: TrackedChange, _ error: RowMappingError, layout: DirectoryLayout) -> QuarantinedResource {
        let isGroup = layout.groups.map { $0.table.caseInsensitiveEquals(change.table) } ?? false
        let mapper = isGroup ? layout.groupMapper : layout.userMapper
        let id = mapper.flatMap { try? $0.id(in: change.current ?? change.key) } ?? "?"
        return QuarantinedResource(kind: isGroup ? "Group" : "User", id: id, reason: "\(error)")
    }
}
