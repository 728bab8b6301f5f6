import Directory
import SQLClients

/// A read-only transaction that sees the source exactly as of one binlog position: reading
/// every table in it and then streaming the binlog from `position` misses nothing and repeats
/// nothing — the first load of a pipeline, and the fallback when a position is lost.
///
/// - MariaDB: `START TRANSACTION WITH CONSISTENT SNAPSHOT` makes InnoDB's snapshot and the
///   binlog position one atomic point, which `SHOW STATUS LIKE 'binlog_snapshot_%'` reports
///   (MariaDB docs, "Enhancements for START TRANSACTION WITH CONSISTENT SNAPSHOT": "no global
///   lock"). Its GTID position is `BINLOG_GTID_POS(file, offset)`; `@@gtid_binlog_pos` read
///   afterwards could already include later commits.
/// - MySQL has no such status: `FLUSH TABLES WITH READ LOCK` holds commits back while the
///   transaction starts and `SHOW MASTER STATUS` is read, then `UNLOCK TABLES` — a lock of
///   milliseconds. `LOCK INSTANCE FOR BACKUP` is not enough: it blocks DDL, not commits, so the
///   position could move between the snapshot and the read. Needs the RELOAD privilege.
///
/// The transaction stays open until `finish()` (or release); the connection must not be used
/// for anything else meanwhile. Not thread-safe; blocking, like the connection.
public final class ConsistentSnapshot {
    private let connection: MariaDBConnection
    private var open = true

    /// The binlog position the snapshot corresponds to: stream from here afterwards.
    public let position: BinlogCoordinates

    /// Starts the snapshot transaction on `connection` and reads its position.
    /// - Throws: `MariaDBError` (e.g. `.permissionDenied` without BINLOG MONITOR / REPLICATION
    ///   CLIENT, or RELOAD on MySQL); `ReplicationError` when binary logging is off.
    public init(connection: MariaDBConnection) throws {
        self.connection = connection
        // The snapshot is REPEATABLE READ's: under READ COMMITTED each statement would see
        // newer commits.
        try connection.execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        if connection.isMariaDB {
            try connection.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY")
            position = try Self.mariaDBSnapshotPosition(connection)
        } else {
            try connection.execute("FLUSH TABLES WITH READ LOCK")
            do {
                try connection.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY")
                position = try connection.currentBinlogPosition()
            } catch {
                _ = try? connection.execute("UNLOCK TABLES")
                throw error
            }
            try connection.execute("UNLOCK TABLES")
        }
    }

    deinit {
        if open {
            _ = try? connection.execute("ROLLBACK")
        }
    }

    private static func mariaDBSnapshotPosition(_ connection: MariaDBConnection) throws -> BinlogCoordinates {
        var file: String?
        var offset: UInt64?
        for row in try connection.query("SHOW STATUS LIKE 'binlog_snapshot_%'") {
            guard row.values.count >= 2 else { continue }
            let name = Self.text(row.values[0])?.lowercased()
            let value = Self.text(row.values[1])
            switch name {
            case "binlog_snapshot_file": file = value
            case "binlog_snapshot_position": offset = value.flatMap { UInt64($0) }
            default: break
            }
        }
        guard let file, !file.isEmpty, let offset else {
            throw ReplicationError(
                kind: .other, code: 0,
                message: "SHOW STATUS LIKE 'binlog_snapshot_%' gave no position: binary logging is off "
                    + "(start the server with log_bin)"
            )
        }
        var position = BinlogCoordinates(file: file, offset: offset, gtid: nil)
        position.gtid = try connection.gtidPosition(at: position).flatMap { $0.isEmpty ? nil : $0 }
        return position
    }

    private static func text(_ value: SQLValue) -> String? {
        switch value {
        case .text(let text), .decimal(let text): text
        case .bytes(let bytes): String(decoding: bytes, as: UTF8.self)
        case .int(let number): String(number)
        case .uint(let number): String(number)
        case .null, .bool, .double, .date, .time, .dateTime, .timestamp, .json, .bits: nil
        }
    }

    /// Reads `table` in primary-key order, `chunkSize` rows at a time, inside the snapshot.
    ///
    /// - Parameters:
    ///   - database: the table's database; nil for the connection's default.
    ///   - primaryKey: the key columns in key order (composite keys supported); the order of
    ///     the rows is the server's order of these columns.
    ///   - columns: the columns to read (nil: all); key columns are added when missing.
    /// - Returns: a cursor whose `next()` returns one chunk at a time, so memory holds at most
    ///   `chunkSize` rows whatever the table's size.
    public func chunks(
        ofTable table: String, database: String? = nil, primaryKey: [String], columns: [String]? = nil,
        chunkSize: Int = 1000
    ) -> KeysetChunks {
        KeysetChunks(
            connection: connection,
            query: KeysetQuery(
                table: table, database: database, keyColumns: primaryKey, columns: columns, chunkSize: chunkSize
            )
        )
    }

    /// Ends the snapshot transaction (COMMIT; it changed nothing).
    public func finish() throws {
        guard open else { return }
        open = false
        try connection.execute("COMMIT")
    }
}

@available(*, unavailable) extension ConsistentSnapshot: Sendable {}

/// A cursor over one table in key order, a chunk at a time (keyset pagination).
public struct KeysetChunks {
    private let connection: MariaDBConnection
    private let query: KeysetQuery
    private var lastKey: [SQLValue]?
    private var done = false

    init(connection: MariaDBConnection, query: KeysetQuery) {
        self.connection = connection
        self.query = query
    }

    /// The next chunk of at most `chunkSize` rows, or nil after the last row.
    public mutating func next() throws -> [Row]? {
        guard !done else { return nil }
        let rows: [Row]
        if let lastKey {
            rows = try connection.query(query.after, query.afterParameters(lastKey))
        } else {
            rows = try connection.query(query.first)
        }
        if rows.count < query.chunkSize {
            // A short chunk is the last one: no need to ask for an empty one.
            done = true
        }
        guard let last = rows.last else {
            done = true
            return nil
        }
        lastKey = query.keyColumns.map { last[$0] ?? .null }
        return rows
    }
}

@available(*, unavailable) extension KeysetChunks: Sendable {}
