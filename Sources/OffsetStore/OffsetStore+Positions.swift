import Directory
import GRDB
import SCIM

extension OffsetStore {
    /// Where `pipeline` resumes: the position after the last batch its target committed; nil
    /// before the first load finished.
    public func position(pipeline: String) throws(OffsetStoreError) -> SourcePosition? {
        let row: GRDB.Row?
        do {
            row = try queue.read { db in
                try GRDB.Row.fetchOne(
                    db, sql: "SELECT kind, file, offset, gtid, version, token FROM positions WHERE pipeline = ?",
                    arguments: [pipeline])
            }
        } catch {
            throw .cannotRead(path: path, reason: "\(error)")
        }
        guard let row else { return nil }
        let kind: String = row["kind"]
        switch kind {
        case "binlog":
            let offset: Int64 = row["offset"]
            return .binlog(file: row["file"], offset: UInt64(offset), gtid: row["gtid"])
        case "changeTracking":
            return .changeTracking(version: row["version"])
        case "token":
            return .token(row["token"])
        default:
            throw .corrupt(path: path, what: "a position of kind \"\(kind)\"")
        }
    }

    /// Records that `pipeline`'s target committed everything up to `position`, together with
    /// the ownership changes of that batch, in one SQLite transaction: after a crash either
    /// both are stored or neither (and the batch is replayed, which is idempotent).
    ///
    /// - Parameter sourceTime: when the source committed the last transaction of the batch
    ///   (seconds since 1970), for `scimsync status`'s lag.
    public func commit(
        position: SourcePosition, pipeline: String, sourceTime: Int64? = nil, created: [LedgerEntry] = [],
        removed: [LedgerEntry] = [], journal: [JournalRecord] = []
    ) throws(OffsetStoreError) {
        do {
            try queue.write { db in
                var arguments: StatementArguments = [pipeline, sourceTime]
                switch position {
                case .binlog(let file, let offset, let gtid):
                    arguments += ["binlog", file, Int64(offset), gtid, nil, nil]
                case .changeTracking(let version):
                    arguments += ["changeTracking", nil, nil, nil, version, nil]
                case .token(let token):
                    arguments += ["token", nil, nil, nil, nil, token]
                }
                // Every streamed batch commits: its statements are compiled once, not per call
                // (compiling was most of a commit's cost).
                try db.cachedStatement(
                    sql: """
                        INSERT INTO positions (pipeline, source_time, kind, file, offset, gtid, version, token, committed_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                        ON CONFLICT (pipeline) DO UPDATE SET kind = excluded.kind, file = excluded.file,
                          offset = excluded.offset, gtid = excluded.gtid, version = excluded.version,
                          token = excluded.token, committed_at = excluded.committed_at,
                          source_time = COALESCE(excluded.source_time, positions.source_time)
                        """
                ).execute(arguments: arguments)
                try Self.updateLedger(db, added: created, removed: removed, pipeline: pipeline)
                try appendJournal(db, journal, pipeline: pipeline, origin: "stream", position: position)
            }
        } catch {
            throw .cannotWrite(path: path, reason: "\(error)")
        }
    }

    /// Records resources scimsync created outside a position commit (the first load writes
    /// them chunk by chunk; its position is committed once at the end).
    public func recordCreated(_ entries: [LedgerEntry], pipeline: String) throws(OffsetStoreError) {
        guard !entries.isEmpty else { return }
        // A first load records every resource, thousands per call: one statement per kind,
        // its ids in one JSON array that SQLite's `json_each` unpacks. Binding three values
        // per entry through GRDB cost more than SQLite's inserts themselves.
        var ids: [ResourceKind: [SCIMValue]] = [:]
        for entry in entries { ids[entry.kind, default: []].append(.string(entry.id)) }
        do {
            try queue.write { db in
                let insert = try db.cachedStatement(
                    sql: "INSERT OR IGNORE INTO ledger (pipeline, kind, id) SELECT ?, ?, value FROM json_each(?)")
                for kind in ResourceKind.allCases {
                    guard let list = ids[kind] else { continue }
                    try insert.execute(arguments: [pipeline, kind.rawValue, SCIMValue.array(list).jsonString()])
                }
            }
        } catch {
            throw .cannotWrite(path: path, reason: "\(error)")
        }
    }

    /// When the source committed the last transaction `pipeline` applied (seconds since 1970).
    public func sourceTime(pipeline: String) throws(OffsetStoreError) -> Int64? {
        do {
            return try queue.read { db in
                try Int64.fetchOne(db, sql: "SELECT source_time FROM positions WHERE pipeline = ?", arguments: [pipeline])
            }
        } catch {
            throw .cannotRead(path: path, reason: "\(error)")
        }
    }

    /// Forgets `pipeline`'s position (a lost binlog position: the next start reloads).
    public func resetPosition(pipeline: String) throws(OffsetStoreError) {
        do {
            try queue.write { db in try db.execute(sql: "DELETE FROM positions WHERE pipeline = ?", arguments: [pipeline]) }
        } catch {
            throw .cannotWrite(path: path, reason: "\(error)")
        }
    }
}

extension OffsetStore {
    /// Which of `ids` (of one kind) `pipeline` created in its target.
    public func owned(_ ids: [String], kind: ResourceKind, pipeline: String) throws(OffsetStoreError) -> Set<String> {
        guard !ids.isEmpty else { return [] }
        do {
            return try queue.read { db in
                var owned: Set<String> = []
                // SQLite allows 32766 parameters; stay well below with chunks.
                for start in stride(from: 0, to: ids.count, by: 500) {
                    let chunk = Array(ids[start..<min(start + 500, ids.count)])
                    let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                    let found = try String.fetchAll(
                        db, sql: "SELECT id FROM ledger WHERE pipeline = ? AND kind = ? AND id IN (\(marks))",
                        arguments: StatementArguments([pipeline, kind.rawValue] + chunk))
                    owned.formUnion(found)
                }
                return owned
            }
        } catch {
            throw .cannotRead(path: path, reason: "\(error)")
        }
    }
}

extension OffsetStore {
    /// The pipelines the store holds a position or owned rows of, each with how many rows it
    /// created that the target still has (its ledger), by name.
    public func storedPipelines() throws(OffsetStoreError) -> [(name: String, owned: Int)] {
        do {
            return try queue.read { db in
                try GRDB.Row.fetchAll(
                    db,
                    sql: """
                        SELECT name, (SELECT COUNT(*) FROM ledger WHERE ledger.pipeline = name) AS owned
                        FROM (SELECT pipeline AS name FROM positions UNION SELECT DISTINCT pipeline FROM ledger)
                        ORDER BY name
                        """
                ).map { (name: $0["name"], owned: $0["owned"]) }
            }
        } catch {
            throw .cannotRead(path: path, reason: "\(error)")
        }
    }

    /// What `run` and `status` say of the pipelines the store holds and `names` (the
    /// configuration's) lacks: a renamed pipeline starts over under its new name and does not
    /// own the rows the old one created, so reconciliation leaves those alone.
    public func forgottenPipelineWarnings(configured names: [String]) throws(OffsetStoreError) -> [String] {
        let configured = Set(names)
        return try storedPipelines().filter { !configured.contains($0.name) }.map { stored in
            "the offset store \(path) holds pipeline \"\(stored.name)\", which the configuration does not name "
                + "(\(stored.owned) target rows it created): a renamed pipeline starts again from a first load and does "
                + "not own those rows, which reconciliation then leaves alone; give it its old name back to keep them"
        }
    }
}
