import Foundation
import GRDB
import SQLiteStore

/// The SQLite file of one feed: its runs (state, files, log), the users it knows (last raw
/// record, digest, in-feed flag, ownership, error flag) and the plan of the run being applied.
///
/// Crash safety: planning a run and marking it `running` is one transaction, and so is
/// recording a chunk of its operations as applied together with the users' new state. A run
/// found `running` after a crash resumes after its last recorded chunk: what was recorded is
/// never handed out again, and at most the one chunk in flight is applied twice, which the
/// target's idempotent operations make harmless.
///
/// Several processes may open one store at once (the daemon applying runs, a `scimsync feed`
/// command uploading or approving one): the file is in WAL mode, so readers never wait, and
/// every write transaction takes the write lock when it begins (`BEGIN IMMEDIATE`), so two
/// writers queue on the busy timeout instead of one failing when it upgrades a read (GRDB
/// begins every write transaction IMMEDIATE).
public final class FeedStore: Sendable {
    let queue: DatabasePool
    /// The file, as the caller named it.
    public let path: String

    /// Opens (creating when missing) the store at `path`.
    /// - Throws: ``FeedStoreError/cannotOpen(path:reason:)``.
    public init(path: String) throws(FeedStoreError) {
        self.path = path
        do {
            // WAL and the schema first, on a queue of its own: GRDB's migrator reads what is
            // applied before it takes the write lock, so a daemon and a `feed upload` opening a
            // new store together both ran the first migration (SQLiteStoreSetup explains).
            _ = try SQLiteStoreSetup.open(path: path, migrations: Self.migrations)
            var configuration = Configuration()
            // Planning a large run is one transaction: another process's write waits for it.
            configuration.busyMode = .timeout(120)
            // "WAL mode is always consistent with synchronous=NORMAL" (sqlite.org, "PRAGMA
            // synchronous"): a power loss may forget the last commits, never corrupt the file.
            // Each step here survives being forgotten: an upload left `uploading` is read again,
            // a lost plan is planned again, a chunk whose record is lost is applied again
            // (idempotently). FULL would sync the log on every chunk for nothing.
            //
            // Planning a large run is one transaction, which grows the write-ahead log to the
            // run's size (200 MB for 100,000 users); "the journal_size_limit pragma can be used
            // to limit the size of WAL files left in the file-system after transactions or
            // checkpoints" (sqlite.org, "PRAGMA journal_size_limit"), instead of the largest
            // run's size staying on disk beside the store.
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = NORMAL; PRAGMA journal_size_limit = \(Self.walSizeLimit)")
            }
            queue = try SQLiteStoreSetup.retryingWhileBusy { try DatabasePool(path: path, configuration: configuration) }
        } catch {
            throw .cannotOpen(path: path, reason: "\(error)")
        }
    }

    /// The most bytes the write-ahead log keeps on disk after a checkpoint.
    static let walSizeLimit = 64 << 20

    /// The schema, in order; a step once shipped never changes (a new step is added instead).
    /// The identifiers are those GRDB's migrator recorded, so older stores open unchanged.
    static let migrations: [SQLiteStoreSetup.Migration] = [
        .init(
            identifier: "feed runs and users",
            sql: """
                    CREATE TABLE runs (
                      id INTEGER PRIMARY KEY AUTOINCREMENT,
                      state TEXT NOT NULL,
                      created TEXT NOT NULL,
                      started_by TEXT NOT NULL,
                      approved_by TEXT,
                      files TEXT NOT NULL DEFAULT '[]',
                      hold_reason TEXT,
                      failure_reason TEXT,
                      counts TEXT NOT NULL DEFAULT '{}',
                      errors INTEGER NOT NULL DEFAULT 0,
                      planned INTEGER NOT NULL DEFAULT 0,
                      applied_through INTEGER NOT NULL DEFAULT 0,
                      files_pruned INTEGER NOT NULL DEFAULT 0
                    );
                    CREATE TABLE run_log (
                      run INTEGER NOT NULL,
                      seq INTEGER NOT NULL,
                      location TEXT NOT NULL,
                      field TEXT,
                      reason TEXT NOT NULL,
                      PRIMARY KEY (run, seq)
                    ) WITHOUT ROWID;
                    CREATE TABLE run_records (
                      run INTEGER NOT NULL,
                      key TEXT NOT NULL,
                      user_name TEXT NOT NULL,
                      file TEXT NOT NULL,
                      line INTEGER,
                      record INTEGER,
                      skipped INTEGER NOT NULL,
                      digest TEXT,
                      resource TEXT,
                      groups TEXT,
                      raw TEXT,
                      PRIMARY KEY (run, key)
                    ) WITHOUT ROWID;
                    CREATE TABLE users (
                      key TEXT PRIMARY KEY,
                      user_name TEXT NOT NULL,
                      id TEXT,
                      owned INTEGER NOT NULL,
                      in_feed INTEGER NOT NULL,
                      digest TEXT,
                      resource TEXT,
                      groups TEXT NOT NULL DEFAULT '[]',
                      raw TEXT,
                      last_changed_run INTEGER,
                      error INTEGER NOT NULL DEFAULT 0
                    ) WITHOUT ROWID;
                    CREATE TABLE plan (
                      run INTEGER NOT NULL,
                      seq INTEGER NOT NULL,
                      key TEXT NOT NULL,
                      kind TEXT NOT NULL,
                      ops TEXT NOT NULL,
                      state TEXT NOT NULL,
                      PRIMARY KEY (run, seq)
                    ) WITHOUT ROWID;
                    """),
        // "WITHOUT ROWID tables work best when individual rows are not too large … less
        // than about 1/20th the size of a database page" (sqlite.org, "Clustered Indexes
        // and the WITHOUT ROWID Optimization"): a plan row (a user's operations and state)
        // is a kilobyte or more, and each spilled into an overflow page of its own, so a
        // run of 100,000 users wrote half a gigabyte. Ordinary tables keep such rows whole
        // on their pages; the primary keys become unique indexes, with the same meaning.
        .init(
            identifier: "rowid tables for large rows",
            sql: """
                    CREATE TABLE users_new (
                      key TEXT PRIMARY KEY,
                      user_name TEXT NOT NULL,
                      id TEXT,
                      owned INTEGER NOT NULL,
                      in_feed INTEGER NOT NULL,
                      digest TEXT,
                      resource TEXT,
                      groups TEXT NOT NULL DEFAULT '[]',
                      raw TEXT,
                      last_changed_run INTEGER,
                      error INTEGER NOT NULL DEFAULT 0
                    );
                    INSERT INTO users_new SELECT key, user_name, id, owned, in_feed, digest, resource, groups, raw,
                      last_changed_run, error FROM users;
                    DROP TABLE users;
                    ALTER TABLE users_new RENAME TO users;
                    CREATE TABLE run_records_new (
                      run INTEGER NOT NULL,
                      key TEXT NOT NULL,
                      user_name TEXT NOT NULL,
                      file TEXT NOT NULL,
                      line INTEGER,
                      record INTEGER,
                      skipped INTEGER NOT NULL,
                      digest TEXT,
                      resource TEXT,
                      groups TEXT,
                      raw TEXT,
                      PRIMARY KEY (run, key)
                    );
                    INSERT INTO run_records_new SELECT run, key, user_name, file, line, record, skipped, digest,
                      resource, groups, raw FROM run_records;
                    DROP TABLE run_records;
                    ALTER TABLE run_records_new RENAME TO run_records;
                    CREATE TABLE plan_new (
                      run INTEGER NOT NULL,
                      seq INTEGER NOT NULL,
                      key TEXT NOT NULL,
                      kind TEXT NOT NULL,
                      ops TEXT NOT NULL,
                      state TEXT NOT NULL,
                      PRIMARY KEY (run, seq)
                    );
                    INSERT INTO plan_new SELECT run, seq, key, kind, ops, state FROM plan;
                    DROP TABLE plan;
                    ALTER TABLE plan_new RENAME TO plan;
                    """),
        // A record whose digest equals the one of the user the feed created from it, and
        // has applied since, is staged by its key and digest alone (``StagedItem/unchanged``):
        // most of a nightly export, which then costs neither mapping nor the resource's text.
        .init(
            identifier: "unchanged records staged by digest",
            sql: "ALTER TABLE run_records ADD COLUMN unchanged INTEGER NOT NULL DEFAULT 0"),
        // Planning reads every known user in key order, and an upload looks each record's
        // user up by key, for the columns that decide whether the user is passed over: "if
        // all columns needed for a query are in the index, the original table is never
        // consulted" (sqlite.org, "Query Planning", covering indexes). The table's rows are
        // mostly stored text (resource, groups, raw record), read only for users a run changes.
        .init(
            identifier: "users' light columns indexed",
            sql: "CREATE INDEX users_light ON users (key, owned, in_feed, error, id, digest, user_name)"),
        // The process an `uploading` run depends on (``UploadOwner``), and whether its files are
        // being read: a run whose process stopped is read again, or failed, by the daemon.
        .init(
            identifier: "uploading runs' owners",
            sql: """
                ALTER TABLE runs ADD COLUMN owner TEXT;
                ALTER TABLE runs ADD COLUMN reading INTEGER NOT NULL DEFAULT 0;
                """),
    ]
}

/// Why the feed store could not do what was asked.
public enum FeedStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case noSuchRun(Int64)
    /// A run is already uploading, ready or running: one run at a time.
    case runInProgress(Int64)
    /// The run's state does not allow the step.
    case illegal(IllegalRunTransition)
    /// The run waits for a person (the safety rule's reason).
    case held(run: Int64, reason: String)
    /// The run still has operations to apply.
    case notFullyApplied(run: Int64, applied: Int, planned: Int)
    case database(String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): "cannot open the feed store \(path): \(reason)"
        case .noSuchRun(let run): "there is no run \(run)"
        case .runInProgress(let run): "run \(run) is not finished yet: complete, cancel or fail it first"
        case .illegal(let transition): transition.description
        case .held(let run, let reason): "run \(run) waits for approval: \(reason)"
        case .notFullyApplied(let run, let applied, let planned):
            "run \(run) has applied \(applied) of \(planned) planned changes; apply the rest before finishing it"
        case .database(let reason): "the feed store failed: \(reason)"
        }
    }
}

extension FeedStore {
    /// What any connection's commit changes, in this process or another: the database file
    /// and its write-ahead log (WAL mode: a commit appends to the log, a checkpoint writes the
    /// database). A file that is missing is nil.
    struct FileStamp: Equatable {
        var database: FileState?
        var log: FileState?
    }

    /// A file's size, modification time and inode (a log rewritten from its start keeps its
    /// size and may keep its time to the tick; a replaced file changes its inode).
    struct FileState: Equatable {
        var size: Int
        var modified: timespec
        var inode: UInt

        static func == (a: FileState, b: FileState) -> Bool {
            a.size == b.size && a.modified.tv_sec == b.modified.tv_sec && a.modified.tv_nsec == b.modified.tv_nsec
                && a.inode == b.inode
        }

        init?(path: String) {
            var status = stat()
            guard stat(path, &status) == 0 else { return nil }
            size = Int(status.st_size)
            #if canImport(Darwin)
            modified = status.st_mtimespec
            #else
            modified = status.st_mtim
            #endif
            inode = UInt(status.st_ino)
        }
    }

    /// The store's ``FileStamp`` now.
    func fileStamp() -> FileStamp {
        FileStamp(database: FileState(path: path), log: FileState(path: path + "-wal"))
    }

    /// Runs `body` in a write transaction, turning database errors into ``FeedStoreError``.
    func write<T>(_ body: (Database) throws -> T) throws(FeedStoreError) -> T {
        do {
            return try queue.write { db in try body(db) }
        } catch let error as FeedStoreError {
            throw error
        } catch {
            throw .database("\(error)")
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws(FeedStoreError) -> T {
        do {
            return try queue.read { db in try body(db) }
        } catch let error as FeedStoreError {
            throw error
        } catch {
            throw .database("\(error)")
        }
    }
}
