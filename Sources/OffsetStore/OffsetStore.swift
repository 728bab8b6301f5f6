import Foundation
import GRDB
import SQLiteStore
import Synchronization

/// The SQLite file at `offsets.path` that makes restarts lose and repeat nothing: per pipeline
/// its position (written only after the target committed), the schema history of its binlog
/// source, and later the ownership ledger and run log.
///
/// WAL mode: the daemon writes while `scimsync status` reads. Tables are created on open and
/// extended by migrations, never dropped.
public final class OffsetStore: Sendable {
    let queue: DatabaseQueue
    public let path: String
    /// Pipelines known to have no parked operation, and nothing in quarantine.
    let withoutParked = KnownEmpty()
    let withoutQuarantined = KnownEmpty()
    /// How the journal is kept (nil: not at all), and records written since the last prune.
    let journalState = Mutex<(policy: JournalPolicy?, sincePrune: Int)>((JournalPolicy.standard, 0))
    /// The file the store was opened on (``isAtItsPath``).
    let openedFile: StoreFileIdentity?

    /// Opens (creating when missing) the store at `path`. Safe when other processes or
    /// threads open the same new file at the same moment (`SQLiteStoreSetup`).
    /// - Throws: `OffsetStoreError.cannotOpen` naming the path and the reason.
    public init(path: String) throws(OffsetStoreError) {
        self.path = path
        do {
            queue = try SQLiteStoreSetup.open(path: path, migrations: Self.migrations)
        } catch {
            throw .cannotOpen(path: path, reason: "\(error)")
        }
        openedFile = StoreFileIdentity(ofFileAt: path)
    }

    /// The schema, in order; a step once applied never changes (a new step is added instead).
    static let migrations: [SQLiteStoreSetup.Migration] = [
        .init(
            identifier: "schema history",
            sql: """
            CREATE TABLE schema_history (
              pipeline TEXT NOT NULL,
              file TEXT NOT NULL,
              file_number INTEGER NOT NULL,
              offset INTEGER NOT NULL,
              db TEXT NOT NULL,
              tbl TEXT NOT NULL,
              columns TEXT,
              PRIMARY KEY (pipeline, db, tbl, file, offset)
            ) WITHOUT ROWID
            """),
        .init(
            identifier: "positions, ledger and run log",
            sql: """
            CREATE TABLE positions (
              pipeline TEXT PRIMARY KEY,
              kind TEXT NOT NULL,
              file TEXT,
              offset INTEGER,
              gtid TEXT,
              version INTEGER,
              token TEXT,
              committed_at TEXT NOT NULL
            );
            CREATE TABLE ledger (
              pipeline TEXT NOT NULL,
              kind TEXT NOT NULL,
              id TEXT NOT NULL,
              PRIMARY KEY (pipeline, kind, id)
            ) WITHOUT ROWID;
            CREATE TABLE runs (
              id INTEGER PRIMARY KEY AUTOINCREMENT,
              pipeline TEXT NOT NULL,
              started_at TEXT NOT NULL,
              ended_at TEXT,
              ops TEXT,
              error TEXT
            );
            """),
        .init(
            identifier: "position source time",
            sql: "ALTER TABLE positions ADD COLUMN source_time INTEGER"),
        .init(
            identifier: "run kinds and holds",
            sql: """
            ALTER TABLE runs ADD COLUMN kind TEXT NOT NULL DEFAULT 'run';
            CREATE TABLE holds (
              pipeline TEXT PRIMARY KEY,
              reason TEXT NOT NULL,
              since TEXT NOT NULL,
              approved INTEGER NOT NULL DEFAULT 0
            );
            """),
        // A SCIM target's provider ids by source id; provider_id NULL while a create is in
        // flight (see SCIMIDMap.recordIntent).
        .init(
            identifier: "scim ids",
            sql: """
            CREATE TABLE scim_ids (
              pipeline TEXT NOT NULL,
              kind TEXT NOT NULL,
              source_id TEXT NOT NULL,
              provider_id TEXT,
              PRIMARY KEY (pipeline, kind, source_id)
            ) WITHOUT ROWID
            """),
        // What the running daemon reports of each pipeline, so that `scimsync status` tells the
        // same story as `/readyz`.
        .init(
            identifier: "pipeline states",
            sql: """
            CREATE TABLE pipeline_states (
              pipeline TEXT PRIMARY KEY,
              state TEXT NOT NULL,
              detail TEXT NOT NULL,
              pid INTEGER NOT NULL,
              since TEXT NOT NULL
            )
            """),
        // Operations waiting for a user or group the target lacks (op: the operation as JSON,
        // ResourceOp.json), and rows the target refused (no values: kind, id, why).
        .init(
            identifier: "parked operations and quarantine",
            sql: """
            CREATE TABLE parked_ops (
              pipeline TEXT NOT NULL,
              key TEXT NOT NULL,
              op TEXT NOT NULL,
              waiting_kind TEXT NOT NULL,
              waiting_id TEXT NOT NULL,
              reason TEXT NOT NULL,
              since TEXT NOT NULL,
              attempts INTEGER NOT NULL,
              PRIMARY KEY (pipeline, key)
            ) WITHOUT ROWID;
            CREATE TABLE quarantine (
              pipeline TEXT NOT NULL,
              kind TEXT NOT NULL,
              id TEXT NOT NULL,
              reason TEXT NOT NULL,
              since TEXT NOT NULL,
              last_seen TEXT NOT NULL,
              count INTEGER NOT NULL,
              PRIMARY KEY (pipeline, kind, id)
            ) WITHOUT ROWID;
            """),
        // The operations journal (OffsetStore+Journal.swift): attribute names, not values,
        // unless `journal.values` is on.
        .init(
            identifier: "journal",
            sql: """
            CREATE TABLE journal (
              seq INTEGER PRIMARY KEY AUTOINCREMENT,
              pipeline TEXT NOT NULL,
              at REAL NOT NULL,
              origin TEXT NOT NULL,
              position TEXT,
              kind TEXT NOT NULL,
              resource_id TEXT NOT NULL,
              related_id TEXT,
              action TEXT NOT NULL,
              attributes TEXT NOT NULL,
              outcome TEXT NOT NULL,
              reason TEXT,
              vals TEXT
            );
            CREATE INDEX journal_resource ON journal (pipeline, kind, resource_id, seq);
            CREATE INDEX journal_related ON journal (pipeline, related_id, seq) WHERE related_id IS NOT NULL;
            """),
        // Who approved or rejected a hold, and when (OffsetStore+HoldDecisions.swift).
        .init(
            identifier: "hold decisions",
            sql: """
            CREATE TABLE hold_decisions (
              seq INTEGER PRIMARY KEY AUTOINCREMENT,
              pipeline TEXT NOT NULL,
              at TEXT NOT NULL,
              decision TEXT NOT NULL,
              decided_by TEXT NOT NULL,
              hold_reason TEXT
            );
            CREATE INDEX hold_decisions_pipeline ON hold_decisions (pipeline, seq);
            """),
        // What a decision was about when it is not the pipeline's reconciliation hold (a held
        // feed run: `feed run 3`).
        .init(
            identifier: "hold decision subjects",
            sql: "ALTER TABLE hold_decisions ADD COLUMN subject TEXT;"),
        // A SCIM target looks a provider id up backwards on every create, to refuse a provider
        // that hands one id out twice: without an index, a scan of the map each time.
        .init(
            identifier: "scim ids by provider id",
            sql: "CREATE INDEX scim_ids_provider ON scim_ids (pipeline, kind, provider_id)"),
        // The attributes a refused change was about (a JSON array of top-level attribute
        // names; NULL: the whole resource), so that a later change of other attributes does
        // not lift the quarantine of one that never applied.
        .init(
            identifier: "quarantined attributes",
            sql: "ALTER TABLE quarantine ADD COLUMN attributes TEXT;"),
        // A pipeline paused because its source's tables do not fit the layout, and why: a
        // daemon started again while it is reads the source again once they fit.
        .init(
            identifier: "mapping pauses",
            sql: "CREATE TABLE mapping_pauses (pipeline TEXT PRIMARY KEY, reason TEXT NOT NULL, since TEXT NOT NULL);"),
        // What the pipeline's configuration was when its target last matched its source (a
        // digest per part: source, target, their mappings, the policies), so that a daemon
        // started with another one reconciles instead of streaming on from a position that
        // belongs to the old one.
        .init(
            identifier: "configuration digests",
            sql: "CREATE TABLE configuration_digests (pipeline TEXT PRIMARY KEY, digests TEXT NOT NULL, since TEXT NOT NULL);"),
    ]
}

/// Why the offset store failed; never carries row data.
public enum OffsetStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case cannotWrite(path: String, reason: String)
    case cannotRead(path: String, reason: String)
    /// A stored value that this version cannot read back (a newer version wrote it?).
    case corrupt(path: String, what: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): "cannot open the offset store \(path): \(reason)"
        case .cannotWrite(let path, let reason): "cannot write the offset store \(path): \(reason)"
        case .cannotRead(let path, let reason): "cannot read the offset store \(path): \(reason)"
        case .corrupt(let path, let what): "the offset store \(path) holds \(what) this version cannot read"
        }
    }
}
