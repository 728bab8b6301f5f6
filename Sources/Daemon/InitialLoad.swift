import Config
import Foundation
import Directory
import MySQLSource
import SQLClients
import Targets

/// A pipeline's first load: a consistent snapshot of the source's layout tables, applied to
/// the target as creates, parent moves and member additions, chunk by chunk (memory bounded
/// whatever the table sizes). Returns the snapshot's binlog position, where streaming starts.
///
/// The position is committed by the caller only after the whole load: a crash during the load
/// starts it again, which the target's idempotent operations make harmless.
enum InitialLoad {
    /// Rows read by one source SELECT and applied in one target transaction. Each commit costs
    /// the target a binlog write (and a sync where it syncs); the statements inside stay at
    /// most `SQLDialect.maxRowsPerStatement` rows. At most four chunks are in memory at a
    /// time (one read ahead, one waiting for and one applied by each connection): a few MiB
    /// each (peak RSS 83 MiB in bench/initial-load).
    static let chunkSize = 5000

    /// Runs on the target's queue (it blocks): `target` is only used there.
    ///
    /// - Parameters:
    ///   - openParallelTarget: opens a second connection to the target, which applies every
    ///     other batch on a thread of its own (``ParallelApplier``); nil to apply every batch
    ///     through `target` (SQLite: one writer at a time).
    ///   - created: records the resources a batch creates, before the batch commits (a crash
    ///     in between leaves a ledger entry without a row, which is harmless); called
    ///     on either connection's thread.
    static func run(
        source: MySQLConnectionConfig, layout: DirectoryLayout, target: any ReplicationTarget,
        openParallelTarget: (@Sendable () throws -> any ReplicationTarget)? = nil,
        created: @escaping @Sendable ([ResourceOp]) throws -> Void = { _ in }
    ) throws -> BinlogCoordinates {
        let connection = try MariaDBConnection(
            host: source.host, port: source.port, user: source.user, password: source.password, database: source.database)
        let snapshot = try ConsistentSnapshot(connection: connection)
        let mapper = ChangeMapper(layout: layout, onDelete: .delete)
        let load = Batches(target: target, openParallelTarget: openParallelTarget)
        defer { load.stop() }

        // Groups first, without parents: a child may come before its parent in key order.
        if let groups = layout.groups {
            try load.each(snapshot, table: groups.table, key: [groups.attributes.idColumn ?? "id"]) { row in
                let ops = try mapper.ops(for: RowChange(table: groups.table, kind: .insert, before: nil, after: row))
                return ops.filter { if case .moveParent = $0 { false } else { true } }
            } applying: { target, ops in try created(ops); try target.apply(ops) }
            if groups.parent != nil, let groupMapper = layout.groupMapper {
                // Roots too: a load restarted after a crash finds the first attempt's groups,
                // and a group moved to the top in between must lose its old parent (creates
                // leave the parent column alone).
                try load.each(snapshot, table: groups.table, key: [groups.attributes.idColumn ?? "id"]) { row in
                    [.moveParent(groupID: try groupMapper.id(in: row), parentID: try layout.parentID(inGroupsRow: row))]
                } applying: { target, ops in try target.apply(ops) }
            }
        }
        // Users, with their group when membership is a column of the users table.
        try load.each(snapshot, table: layout.users.table, key: [layout.users.attributes.idColumn ?? "id"]) { row in
            try mapper.ops(for: RowChange(table: layout.users.table, kind: .insert, before: nil, after: row))
        } applying: { target, ops in try created(ops); try target.apply(ResourceOp.ordered(ops)) }
        if let membership = layout.membership {
            try load.each(snapshot, table: membership.table, key: [membership.user, membership.group]) { row in
                try mapper.ops(for: RowChange(table: membership.table, kind: .insert, before: nil, after: row))
            } applying: { target, ops in try target.apply(ops) }
        }
        try snapshot.finish()
        return snapshot.position
    }

    /// Counts one applied batch for the crash tests' failpoint (``LoadFailpoint``).
    fileprivate static func countAppliedBatch() {
        LoadFailpoint.batchApplied()
    }

    /// Applies a batch, again (at most twice more) when it lost a lock conflict: two load
    /// connections writing one table can deadlock over InnoDB's gap locks once rows exist (a
    /// restarted load); the batch was rolled back whole, so running it again is safe.
    fileprivate static func applyResolvingConflicts(
        _ target: any ReplicationTarget, _ ops: [ResourceOp],
        _ apply: (any ReplicationTarget, [ResourceOp]) throws -> Void
    ) throws {
        var attempt = 1
        while true {
            do {
                try apply(target, ops)
                countAppliedBatch()
                return
            } catch let error as TargetError where error.isLockConflict && attempt < 3 {
                attempt += 1
            }
        }
    }
}

/// The load's target side: batches applied through the pipeline's target, every other one
/// handed to a ``ParallelApplier`` when there is one; a table pass ends only once both
/// connections committed all of its batches, so the next pass may reference its rows.
private struct Batches {
    let target: any ReplicationTarget
    let applier: ParallelApplier?

    init(target: any ReplicationTarget, openParallelTarget: (@Sendable () throws -> any ReplicationTarget)?) {
        self.target = target
        applier = openParallelTarget.map { ParallelApplier(open: $0) }
    }

    func stop() { applier?.stop() }

    /// Reads `table` in key order, chunk by chunk, turning each chunk into one target batch.
    /// The next chunk is read and mapped on a thread of its own while the current one is
    /// applied, so the source's SELECT and the target's transactions overlap instead of
    /// taking turns; a few chunks at most are in memory (one read ahead, one or two applied).
    func each(
        _ snapshot: ConsistentSnapshot, table: String, key: [String],
        ops: @escaping @Sendable (Row) throws -> [ResourceOp],
        applying apply: @escaping ParallelApplier.Apply
    ) throws {
        let chunks = snapshot.chunks(ofTable: table, primaryKey: key, chunkSize: InitialLoad.chunkSize)
        let prefetch = ChunkPrefetch(chunks) { rows in
            var batch: [ResourceOp] = []
            batch.reserveCapacity(rows.count)
            for row in rows { batch += try ops(row) }
            return batch
        }
        defer { prefetch.stop() }
        var handOver = false
        while let batch = try prefetch.next() {
            guard !batch.isEmpty else { continue }
            if handOver, let applier {
                try applier.submit(batch) { target, ops in try InitialLoad.applyResolvingConflicts(target, ops, apply) }
            } else {
                try InitialLoad.applyResolvingConflicts(target, batch, apply)
            }
            handOver.toggle()
        }
        try applier?.drain()
    }
}
