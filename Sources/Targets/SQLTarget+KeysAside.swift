import Connectors
import Directory
import SQLClients

// Most of what a membership row costs a database is its keys, not the row: PostgreSQL checks
// each foreign key with a query per row (an index lookup and a row lock on the referenced
// table), and every index takes the rows one at a time in the order they come. Dump and
// restore do it the other way round (pg_dump's output creates the table, copies the rows, then
// builds each index with one sort and adds each foreign key with one join; sqlite3's `.dump`
// creates its indexes after the rows), which is most of why they are fast. A first load into
// an empty relation table does the same, in one transaction: DDL is transactional in
// PostgreSQL and SQLite, so a failure, or a crash, leaves the table as it was, keys included.
extension SQLTarget {
    /// What ``loadSettingKeysAside(_:)`` did.
    public enum KeysAsideLoad {
        /// The phase is in the target, with its keys as they were.
        case loaded(ApplyResult)
        /// Nothing was written: read the phase again and load it batch by batch; the reason,
        /// when there is one worth logging (a key that the rows do not satisfy, a right the
        /// target's user lacks).
        case notLoaded(reason: String?)
    }

    /// Loads a whole phase of member additions into an empty relation table in one
    /// transaction: its foreign keys, primary key, unique keys and other indexes are set
    /// aside, every chunk goes through the bulk path (PostgreSQL one `COPY` for the whole
    /// phase, SQLite one prepared `INSERT`), and the keys are made again before COMMIT, each
    /// checked against all the rows at once. SQLite cannot drop a primary key or a foreign
    /// key: only its other indexes are set aside (its foreign keys are checked per row anyway,
    /// cheaply, at COMMIT).
    ///
    /// Anything the keys or the table refuse (a member whose user the target lacks, a row
    /// twice) rolls the transaction back whole and returns `.notLoaded`, as does a target
    /// where the load's user may not alter the table: the caller then loads the phase batch by
    /// batch, which finds the rows to quarantine or park. While the transaction is open,
    /// PostgreSQL locks the relation table and the tables its keys reference against every
    /// other use (the target is being loaded: nothing else should use it yet).
    ///
    /// - Parameter read: the phase's reader; a source error is rethrown (after the rollback).
    public func loadSettingKeysAside(_ read: () throws -> [ResourceOp]?) throws -> KeysAsideLoad {
        guard let relation, setsKeysAside else { return .notLoaded(reason: nil) }
        return try loadSettingKeysAside(relation.name) { () throws -> BulkRows? in
            let chunk: [ResourceOp]?
            do { chunk = try read() } catch { throw SourceReadError(underlying: error) }
            guard let ops = chunk else { return nil }
            guard let bulk = memberRows(ops) else { throw KeysAsideAbandoned() }
            return bulk
        }
    }

    /// ``loadSettingKeysAside(_:)-(()->[ResourceOp]?)`` with each chunk's rows made on the
    /// reading side (``MemberRowMaker``; for PostgreSQL's COPY, its text): nil inside for a
    /// chunk the bulk path cannot take whole.
    func loadSettingKeysAside(prepared read: () throws -> BulkRows??) throws -> KeysAsideLoad {
        guard let relation, setsKeysAside else { return .notLoaded(reason: nil) }
        return try loadSettingKeysAside(relation.name) { () throws -> BulkRows? in
            let chunk: BulkRows??
            do { chunk = try read() } catch { throw SourceReadError(underlying: error) }
            guard let prepared = chunk else { return nil }
            guard let bulk = prepared else { throw KeysAsideAbandoned() }
            return bulk
        }
    }

    /// Loads a whole phase of creates of `kind`, read as the source's rows and made ready
    /// for COPY by the reading thread (``RowTranscoder/prepareCopy(_:)``), into an empty
    /// table in one transaction, its keys and indexes set aside as for member additions:
    /// PostgreSQL only (``setsKeysAside(for:)``), each chunk recorded with `created` before it
    /// is sent. A chunk the transcoder refused, like a key the rows do not satisfy, leaves the
    /// phase to the caller's batch by batch load.
    func loadSettingKeysAside(
        prepared read: () throws -> PreparedRows?, kind: ResourceKind, created: ([LedgerEntry]) throws -> Void
    ) throws -> KeysAsideLoad {
        guard setsKeysAside(for: kind), let table = try? mappedTable(kind) else { return .notLoaded(reason: nil) }
        let operation = TargetOperation.create(kind)
        let columns = table.mapper.rowColumns.map(table.table.column)
        return try loadSettingKeysAside(table.table.name) { () throws -> BulkRows? in
            let chunk: PreparedRows?
            do { chunk = try read() } catch { throw SourceReadError(underlying: error) }
            switch chunk {
            case nil:
                return nil
            case .refused?:
                throw KeysAsideAbandoned()
            case .copy(let ids, let text)?:
                try created(ids.map { LedgerEntry(kind: kind, id: $0) })
                return BulkRows(kind: operation, table: table.table.name, columns: columns, copyText: text, count: ids.count)
            }
        }
    }

    /// The two loads' common part: `read` gives the table's chunks as bulk rows, nil at the
    /// end; it throws ``KeysAsideAbandoned`` for a chunk the bulk path cannot take and
    /// ``SourceReadError`` for the source's error.
    private func loadSettingKeysAside(_ tableName: String, read: () throws -> BulkRows?) throws -> KeysAsideLoad {
        let first: BulkRows
        do {
            guard let chunk = try read() else { return .loaded(ApplyResult()) }
            first = chunk
        } catch is KeysAsideAbandoned {
            return .notLoaded(reason: nil)
        } catch let error as SourceReadError {
            throw error.underlying
        }
        let table = dialect.table(tableName)
        do {
            // A load restarted after a crash finds rows: those need the upserts of the batch path.
            guard try connection.query("SELECT 1 FROM \(table) LIMIT 1", []).isEmpty else { return .notLoaded(reason: nil) }
        } catch {
            return .notLoaded(reason: nil)
        }
        var result = ApplyResult()
        result.loadedInBulk = true
        // PostgreSQL: one COPY for the whole phase, which the server works through while the
        // next chunk is read and prepared.
        let copy = connection as? PostgresConnection
        var copying = false
        do {
            try connection.begin()
            let restore = try setKeysAside(tableName)
            if let copy {
                let columns = first.columns.map(dialect.quote).joined(separator: ", ")
                try copy.beginCopy("COPY \(table) (\(columns)) FROM STDIN")
                copying = true
            }
            var bulk = first
            var sent = true
            while true {
                if let copy {
                    var data = bulk.copyText ?? []
                    if bulk.copyText == nil {
                        guard BulkRowText.append(bulk.rows, format: .copy, to: &data) else { throw KeysAsideAbandoned() }
                    }
                    sent = copy.sendCopyData(data)
                    guard sent else { break }
                } else {
                    try writeBulk(bulk)
                }
                result.applied[bulk.kind, default: 0] += bulk.count
                result.statements += 1
                Failpoint.loadBatchApplied.passed()
                guard let next = try read() else { break }
                bulk = next
            }
            if let copy {
                copying = false
                // A failed send fails the COPY here, with the connection's reason.
                try copy.endCopy(sent: sent)
            }
            for statement in restore { try connection.run(statement) }
            try connection.commit()
            return .loaded(result)
        } catch let error as TargetError {
            rollBack(copying ? copy : nil)
            return .notLoaded(reason: error.description)
        } catch is KeysAsideAbandoned {
            rollBack(copying ? copy : nil)
            return .notLoaded(reason: nil)
        } catch let error as SourceReadError {
            rollBack(copying ? copy : nil)
            throw error.underlying
        } catch {
            rollBack(copying ? copy : nil)
            return .notLoaded(reason: "\(error)")
        }
    }

    /// Rolls the load's transaction back, failing its COPY first when one is open.
    private func rollBack(_ copy: PostgresConnection?) {
        if let copy { try? copy.endCopy(sent: false) }
        try? connection.rollback()
    }

    /// Whether ``loadSettingKeysAside(prepared:kind:created:)`` may load the table of `kind`
    /// here: PostgreSQL only. One connection with the keys aside measured faster there than
    /// two with the keys in place (bench/initial-load), once the rows are transcoded rather
    /// than mapped through resources: PostgreSQL's index inserts row by row were most of the
    /// phase. SQLite writes one connection's rows either way.
    func setsKeysAside(for kind: ResourceKind) -> Bool {
        guard bulkLoadRefusal == nil, !fillsColumnDefaults, case .postgres = dialect else { return false }
        return kind == .user || groups != nil
    }

    /// Whether ``loadSettingKeysAside(_:)`` may load anything here (it may still find the
    /// table not empty, or the rows not fit for it). Not on MariaDB: there the load spreads
    /// member additions over two connections, which measured faster (bench/initial-load) than
    /// one transaction with `foreign_key_checks` and `unique_checks` off and each foreign key
    /// checked by a query before COMMIT, as mariadb-dump's output loads; each connection
    /// writes them without the foreign key checks, checked once afterwards instead
    /// (``checkMemberReferences()``).
    public var setsKeysAside: Bool {
        guard relation != nil, bulkLoadRefusal == nil, !fillsColumnDefaults else { return false }
        switch dialect {
        case .postgres, .sqlite: return true
        case .mariaDB, .sqlServer: return false
        }
    }

    /// The bulk path's rows for a chunk of member additions only (``bulkRows(_:)`` takes a
    /// batch of one kind whole or not at all); nil for any other chunk.
    private func memberRows(_ ops: [ResourceOp]) -> BulkRows? {
        guard let bulk = (try? bulkRows(ops)) ?? nil, bulk.kind == .addMember else { return nil }
        return bulk
    }

    /// Drops the table's keys and indexes inside the open transaction; returns the statements
    /// that make them again, in an order that works (unique keys, indexes, then the foreign
    /// keys, whose checks use the referenced tables' keys). On PostgreSQL the foreign keys of
    /// the layout's other tables that reference this one go too (its primary key cannot be
    /// dropped under them) and come back last: the users' table is loaded before the
    /// relation table that references it, which is still empty then, so making them again
    /// checks nothing.
    private func setKeysAside(_ tableName: String) throws -> [String] {
        let table = dialect.table(tableName)
        var restore: [String] = []
        switch dialect {
        case .postgres:
            // A plain table only: a partitioned one's index definitions read `ON ONLY`, which
            // would make an index of the parent alone.
            let kind = try connection.query("SELECT relkind::text FROM pg_class WHERE oid = $1::text::regclass", [.text(table)])
            guard kind.first?.texts(1) == ["r"] else { throw KeysAsideAbandoned() }
            // Indexes of their own only: those of a primary or unique key go with the key.
            let indexes = try connection.query(
                """
                SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
                WHERE i.indrelid = $1::text::regclass
                AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conrelid = i.indrelid AND c.conindid = i.indexrelid)
                """, [.text(table)])
            let constraints = try connection.query(
                """
                SELECT conname::text, pg_get_constraintdef(oid), contype::text FROM pg_constraint
                WHERE conrelid = $1::text::regclass AND contype IN ('p', 'u', 'f') ORDER BY contype = 'f' DESC, conname
                """, [.text(table)])
            // Only the layout's own tables' (the relation table's, referencing the users): a
            // key another table depends on is not this load's to drop, and the refusal leaves
            // the phase to the batch path.
            let own = [layout.users.table, layout.groups?.table, layout.membership?.table].compactMap { $0 }.map(dialect.table)
            let referencing = try connection.query(
                """
                SELECT conrelid::regclass::text, conname::text, pg_get_constraintdef(oid) FROM pg_constraint
                WHERE confrelid = $1::text::regclass AND conrelid <> confrelid AND contype = 'f'
                AND conrelid IN ($2::text::regclass, $3::text::regclass, $4::text::regclass)
                ORDER BY 1, 2
                """, [.text(table)] + (0..<3).map { .text(own[min($0, own.count - 1)]) })
            var referencingKeys: [String] = []
            for row in referencing {
                guard let texts = row.texts(3) else { continue }
                // The table as regclass prints it (quoted where needed), from the catalog.
                let (other, name, definition) = (texts[0], texts[1], texts[2])
                try connection.run("ALTER TABLE \(other) DROP CONSTRAINT \(dialect.quote(name))")
                referencingKeys.append("ALTER TABLE \(other) ADD CONSTRAINT \(dialect.quote(name)) \(definition)")
            }
            var drops: [String] = []
            var uniqueKeys: [String] = []
            var foreignKeys: [String] = []
            for row in constraints {
                guard let texts = row.texts(3) else { continue }
                let (name, definition, type) = (texts[0], texts[1], texts[2])
                drops.append("DROP CONSTRAINT \(dialect.quote(name))")
                let add = "ADD CONSTRAINT \(dialect.quote(name)) \(definition)"
                if type == "f" { foreignKeys.append(add) } else { uniqueKeys.append(add) }
            }
            if !drops.isEmpty { try connection.run("ALTER TABLE \(table) \(drops.joined(separator: ", "))") }
            if !uniqueKeys.isEmpty { restore.append("ALTER TABLE \(table) \(uniqueKeys.joined(separator: ", "))") }
            for row in indexes {
                guard let texts = row.texts(2) else { continue }
                let (name, definition) = (texts[0], texts[1])
                // Both come from the catalog: the name as regclass prints it (quoted where needed).
                try connection.run("DROP INDEX \(name)")
                restore.append(definition)
            }
            if !foreignKeys.isEmpty { restore.append("ALTER TABLE \(table) \(foreignKeys.joined(separator: ", "))") }
            restore += referencingKeys
        case .sqlite:
            // An index of a PRIMARY KEY or UNIQUE constraint has no SQL and cannot be dropped.
            let indexes = try connection.query(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? COLLATE NOCASE AND sql IS NOT NULL",
                [.text(tableName)])
            for row in indexes {
                guard let texts = row.texts(2) else { continue }
                let (name, definition) = (texts[0], texts[1])
                try connection.run("DROP INDEX \(dialect.quote(name))")
                restore.append(definition)
            }
        case .mariaDB, .sqlServer:
            break
        }
        return restore
    }
}

/// A chunk the bulk path cannot write as it is: the phase goes batch by batch instead.
private struct KeysAsideAbandoned: Error {}

/// A source's error while reading the phase, told apart from the target's.
private struct SourceReadError: Error {
    var underlying: any Error
}

extension Row {
    /// The first `count` values, when each is text.
    fileprivate func texts(_ count: Int) -> [String]? {
        let texts = values.prefix(count).compactMap { value -> String? in
            if case .text(let text) = value { text } else { nil }
        }
        return texts.count == count ? texts : nil
    }
}
