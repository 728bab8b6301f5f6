import Foundation
import GRDB

/// The first-time setup of one of scimsync's own SQLite files (the offset store, a feed's
/// store), safe when several processes or threads open a new file at once (`run` beside
/// `status` or `feed upload`, tests sharing a file): WAL mode, then the schema.
///
/// Two things go wrong when openers race on a new file, and neither waits for the busy timeout:
/// - `PRAGMA journal_mode = WAL` must rewrite the file header, so it upgrades its read lock to
///   a write lock; while another connection holds a read lock SQLite answers SQLITE_BUSY at
///   once: "the busy-handler callback is not invoked" when a connection that already holds a
///   read lock needs a write lock, which could deadlock (sqlite.org, "sqlite3_busy_handler").
/// - GRDB's `DatabaseMigrator` reads which migrations were applied before it takes the write
///   lock, so two openers both run the first migration and the slower fails on a table the
///   other just created.
/// So the WAL switch is retried on SQLITE_BUSY (a bounded while), and the schema is checked and
/// brought up to date inside one `BEGIN IMMEDIATE` transaction, which takes the write lock
/// first (waiting through the busy handler) and only then reads what is applied.
public enum SQLiteStoreSetup {
    /// One step of the schema, applied once; ordered. Identifiers are recorded in
    /// `grdb_migrations`, the table GRDB's migrator kept, so that stores written by earlier
    /// versions open unchanged.
    public struct Migration: Sendable {
        public var identifier: String
        public var sql: String

        public init(identifier: String, sql: String) {
            self.identifier = identifier
            self.sql = sql
        }
    }

    /// How long an opener keeps retrying a busy store before it reports the error.
    public static let busyDeadline: Duration = .seconds(30)

    /// Opens the queue and brings the file to WAL mode and the current schema.
    public static func open(path: String, migrations: [Migration]) throws -> DatabaseQueue {
        var configuration = Configuration()
        // Not `.wal`: GRDB's WAL setup switches without retrying, then writes a scratch table
        // in a deferred transaction (a second read-to-write upgrade) — both fail at once under
        // a concurrent opener. `switchToWAL` does it here.
        configuration.journalMode = .default
        configuration.busyMode = .timeout(5)
        return try retryingWhileBusy {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            try switchToWAL(queue)
            try migrate(queue, migrations)
            return queue
        }
    }

    /// WAL mode (persistent in the file: later opens find it set) and `synchronous = NORMAL`
    /// (per connection): "WAL mode is always consistent with synchronous=NORMAL" and a commit
    /// lost to a power cut only repeats work, as the offset is written after the target's commit
    /// (sqlite.org, "PRAGMA synchronous").
    public static func switchToWAL(_ queue: DatabaseQueue) throws {
        let mode = try queue.writeWithoutTransaction { db in
            try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
        }
        guard mode?.lowercased() == "wal" else {
            throw DatabaseError(
                resultCode: .SQLITE_ERROR,
                message: "the file stays in journal mode \(mode ?? "unknown"), not WAL: put it on a local file system "
                    + "(WAL needs shared memory beside the file)")
        }
        try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
    }

    /// Applies the pending migrations in one immediate transaction. A store already up to date
    /// is only read, so an opener never waits for a writer's lock (a running `run`).
    public static func migrate(_ queue: DatabaseQueue, _ migrations: [Migration]) throws {
        if try queue.read({ db in try pending(db, migrations).isEmpty }) { return }
        try queue.writeWithoutTransaction { db in
            try db.inTransaction(.immediate) {
                try db.execute(sql: "CREATE TABLE IF NOT EXISTS grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
                for migration in try pending(db, migrations) {
                    try db.execute(sql: migration.sql)
                    try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES (?)", arguments: [migration.identifier])
                }
                return .commit
            }
        }
    }

    /// The migrations not yet recorded as applied, in order.
    public static func pending(_ db: Database, _ migrations: [Migration]) throws -> [Migration] {
        guard try db.tableExists("grdb_migrations") else { return migrations }
        let applied = try String.fetchSet(db, sql: "SELECT identifier FROM grdb_migrations")
        return migrations.filter { !applied.contains($0.identifier) }
    }

    /// Runs `body` again while it fails with SQLITE_BUSY or SQLITE_LOCKED, waiting a little
    /// longer each time (with jitter, so that racing openers fall out of step), until
    /// `busyDeadline`.
    public static func retryingWhileBusy<T>(_ body: () throws -> T) throws -> T {
        let deadline = ContinuousClock.now + busyDeadline
        var wait = 0.002
        while true {
            do {
                return try body()
            } catch let error as DatabaseError where isBusy(error) && ContinuousClock.now < deadline {
                Thread.sleep(forTimeInterval: wait * Double.random(in: 0.5...1.5))
                wait = min(wait * 2, 0.1)
            }
        }
    }

    public static func isBusy(_ error: DatabaseError) -> Bool {
        error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED
    }
}
