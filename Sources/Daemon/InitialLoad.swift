import Config
import Foundation
import Directory
import MySQLSource
import SQLClients

/// A pipeline's first load: a consistent snapshot of the source's layout tables, applied to
/// the target as creates, parent moves and member additions, chunk by chunk (memory bounded
/// whatever the table sizes). Returns the snapshot's binlog position, where streaming starts.
///
/// The position is committed by the caller only after the whole load: a crash during the load
/// starts it again, which the target's idempotent operations make harmless.
enum InitialLoad {
    /// Rows read by one source SELECT and applied in one target transaction. Each commit costs
    /// the target a binlog write (and a sync where it syncs); the statements inside stay at
    /// most `SQLDialect.maxRowsPerStatement` rows. Two chunks are in memory at a time (one
    /// applied, one read ahead): a few MiB.
    static let chunkSize = 5000

    /// A crash point for the crash-safety tests: with `SCIMSYNC_FAILPOINT_KILL_AFTER_LOAD_CHUNKS=N`
    /// in the environment the process SIGKILLs itself after the load's N-th target batch, so a
    /// test can be sure to kill it in the middle of a first load, whatever the machine's speed.
    private static let killAfterChunks: Int? = ProcessInfo.processInfo
        .environment["SCIMSYNC_FAILPOINT_KILL_AFTER_LOAD_CHUNKS"].flatMap { Int($0) }

    /// Runs on the target's queue (it blocks): `target` is only used there.
    static func run(
        source: MySQLConnectionConfig, layout: DirectoryLayout, target: any ReplicationTarget,
        created: ([ResourceOp]) throws -> Void = { _ in }
    ) throws -> BinlogCoordinates {
        let connection = try MariaDBConnection(
            host: source.host, port: source.port, user: source.user, password: source.password, database: source.database)
        let snapshot = try ConsistentSnapshot(connection: connection)
        let mapper = ChangeMapper(layout: layout, onDelete: .delete)

        // Groups first, without parents: a child may come before its parent in key order.
        if let groups = layout.groups {
            try each(snapshot, table: groups.table, key: [groups.attributes.idColumn ?? "id"]) { row in
                let ops = try mapper.ops(for: RowChange(table: groups.table, kind: .insert, before: nil, after: row))
                return ops.filter { if case .moveParent = $0 { false } else { true } }
            } applying: { try target.apply($0); try created($0) }
            if groups.parent != nil, let groupMapper = layout.groupMapper {
                // Roots too: a load restarted after a crash finds the first attempt's groups,
                // and a group moved to the top in between must lose its old parent (creates
                // leave the parent column alone).
                try each(snapshot, table: groups.table, key: [groups.attributes.idColumn ?? "id"]) { row in
                    [.moveParent(groupID: try groupMapper.id(in: row), parentID: try layout.parentID(inGroupsRow: row))]
                } applying: { try target.apply($0) }
            }
        }
        // Users, with their group when membership is a column of the users table.
        try each(snapshot, table: layout.users.table, key: [layout.users.attributes.idColumn ?? "id"]) { row in
            try mapper.ops(for: RowChange(table: layout.users.table, kind: .insert, before: nil, after: row))
        } applying: { try target.apply(ResourceOp.ordered($0)); try created($0) }
        if let membership = layout.membership {
            try each(snapshot, table: membership.table, key: [membership.user, membership.group]) { row in
                try mapper.ops(for: RowChange(table: membership.table, kind: .insert, before: nil, after: row))
            } applying: { try target.apply($0) }
        }
        try snapshot.finish()
        return snapshot.position
    }

    /// Target batches applied by this process's loads (for the failpoint).
    nonisolated(unsafe) private static var appliedChunks = 0

    /// Reads `table` in key order, chunk by chunk, turning each chunk into one target batch.
    /// The next chunk is read and mapped on a thread of its own while the current one is
    /// applied, so the source's SELECT and the target's transaction overlap instead of taking
    /// turns; at most two chunks wait, so memory stays bounded.
    private static func each(
        _ snapshot: ConsistentSnapshot, table: String, key: [String],
        ops: @escaping @Sendable (Row) throws -> [ResourceOp],
        applying apply: ([ResourceOp]) throws -> Void
    ) throws {
        let chunks = snapshot.chunks(ofTable: table, primaryKey: key, chunkSize: chunkSize)
        let prefetch = ChunkPrefetch(chunks) { rows in
            var batch: [ResourceOp] = []
            batch.reserveCapacity(rows.count)
            for row in rows { batch += try ops(row) }
            return batch
        }
        defer { prefetch.stop() }
        while let batch = try prefetch.next() {
            if !batch.isEmpty {
                try apply(batch)
                appliedChunks += 1
                if let killAfterChunks, appliedChunks >= killAfterChunks { kill(getpid(), SIGKILL) }
            }
        }
    }
}
