import Connectors
import Directory
import Logging
import MySQLBinlog
import SQLClients

/// The MySQL/MariaDB binlog as a pipeline ``Connectors/ChangeSource``: committed transactions
/// of the layout's tables, mapped to operations by the source layout. Rows that cannot be
/// mapped are reported with their batch (quarantined), never a stopped pipeline; DDL on the
/// layout's tables is checked against the mapping; a TRUNCATE, which the binlog carries as a
/// statement and not as rows, asks for a resync.
public final class BinlogChangeSource: ChangeSource {
    /// What the source must know besides the connection.
    public struct Options: Sendable {
        public var layout: DirectoryLayout
        public var onDelete: DeletePolicy
        /// The source database the layout's tables live in.
        public var database: String
        /// Why the source's tables do not fit the layout now (nil when they do); asked after a
        /// DDL statement on a layout table.
        public var mappingProblem: @Sendable () async throws -> String?
        /// Why a row change has effects the binlog does not carry (a cascading foreign key);
        /// nil when it has none.
        public var unloggedEffect: @Sendable (RowChange) -> String?
        /// Persists the schema history before a position that relies on it is committed.
        public var saveHistory: @Sendable (SchemaHistory) throws -> Void

        public init(
            layout: DirectoryLayout, onDelete: DeletePolicy, database: String,
            mappingProblem: @escaping @Sendable () async throws -> String? = { nil },
            unloggedEffect: @escaping @Sendable (RowChange) -> String? = { _ in nil },
            saveHistory: @escaping @Sendable (SchemaHistory) throws -> Void
        ) {
            self.layout = layout
            self.onDelete = onDelete
            self.database = database
            self.mappingProblem = mappingProblem
            self.unloggedEffect = unloggedEffect
            self.saveHistory = saveHistory
        }
    }

    private let reader: BinlogChangeReader
    private let options: Options
    private let mapper: ChangeMapper
    private var savedHistory: SchemaHistory
    private let layoutTables: Set<String>
    /// The columns the layout maps, by table name (lower-cased, without its schema), as a row
    /// change names its table.
    private let mappedColumns: [String: [String]]
    /// A resync asked for by the batch just handed on (changes the binlog does not carry
    /// happened in it): the batch is applied first, then the target compared with the source.
    private var pendingResync: SourceEvent?

    public init(reader: BinlogChangeReader, options: Options) {
        self.reader = reader
        self.options = options
        mapper = ChangeMapper(layout: options.layout, onDelete: options.onDelete)
        savedHistory = reader.history
        layoutTables = Set(BinlogChangeSource.tables(of: options.layout))
        mappedColumns = Self.mappedColumns(of: options.layout)
    }

    static func mappedColumns(of layout: DirectoryLayout) -> [String: [String]] {
        func key(_ table: String) -> String { String(table.split(separator: ".").last ?? "").lowercased() }
        var columns: [String: [String]] = [:]
        columns[key(layout.users.table)] = layout.users.attributes.entries.map(\.column) + [layout.users.group].compactMap { $0 }
        if let groups = layout.groups {
            columns[key(groups.table)] = groups.attributes.entries.map(\.column) + [groups.parent].compactMap { $0 }
        }
        if let membership = layout.membership { columns[key(membership.table), default: []] += [membership.user, membership.group] }
        return columns
    }

    /// The tables a layout reads.
    public static func tables(of layout: DirectoryLayout) -> [String] {
        [layout.users.table, layout.groups?.table, layout.membership?.table].compactMap { $0 }
    }

    public func next() async throws -> SourceEvent? {
        if let pending = takePendingResync() { return pending }
        return try await event(from: translated { try await self.reader.next() })
    }

    public func nextBuffered() async throws -> SourceEvent? {
        if let pending = takePendingResync() { return pending }
        return try await event(from: translated { try await self.reader.nextBuffered() })
    }

    private func takePendingResync() -> SourceEvent? {
        defer { pendingResync = nil }
        return pendingResync
    }

    public func acknowledge(_ position: SourcePosition) async {
        guard case .binlog(let file, let offset, _) = position else { return }
        await reader.acknowledge(BinlogPosition(file: file, offset: offset))
    }

    public func stop() async {
        await reader.stop()
    }

    // MARK: - Translation

    private func event(from output: BinlogChangeReader.Output?) async throws -> SourceEvent? {
        guard let output else { return nil }
        // The schema history is saved before the position that relies on it.
        if reader.history != savedHistory {
            try options.saveHistory(reader.history)
            savedHistory = reader.history
        }
        switch output {
        case .transaction(let transaction):
            return batch(transaction)
        case .schemaChange(let change):
            let position = SourcePosition.binlog(file: change.position.file, offset: change.position.offset, gtid: change.gtid)
            switch SchemaChangeEffect.effect(
                of: change.statement, defaultSchema: change.schema, layoutTables: layoutTables, database: options.database)
            {
            case .truncated(let table):
                return .resyncNeeded(
                    reason: "TRUNCATE TABLE \(table) at the source (the binlog carries no rows for it)", position: position)
            case .reshaped:
                if let problem = try await translated({ try await self.options.mappingProblem() }) {
                    return .mappingBroken(reason: problem, position: position)
                }
            case .none:
                break
            }
            return .batch(SourceBatch(ops: [], position: position, commitTime: Int64(change.timestamp)))
        }
    }

    private func batch(_ transaction: BinlogTransaction) -> SourceEvent {
        // A part of a large transaction is positioned before the transaction (a restart replays
        // it whole); its GTID belongs to the transaction's end.
        let position = SourcePosition.binlog(
            file: transaction.position.file, offset: transaction.position.offset,
            gtid: transaction.isLastPart ? transaction.gtid : nil)
        if transaction.isDropped {
            // Parts of it were applied, and then it did not commit (a ROLLBACK of mixed
            // non-transactional changes, a server restart): compare with the source itself.
            return .resyncNeeded(
                reason: "a large source transaction applied in parts did not commit at the source", position: position)
        }
        if pendingResync == nil, let reason = unloggedChanges(of: transaction) {
            // What the binlog carries applies; what it does not is read from the source after.
            pendingResync = .resyncNeeded(reason: reason, position: position)
        }
        var ops: [ResourceOp] = []
        var refused: [QuarantinedResource] = []
        for change in transaction.changes {
            let row = change.rowChange
            if pendingResync == nil, let reason = options.unloggedEffect(row) {
                // What the binlog carries of this transaction is right and applies; what the
                // cascade changed below it is read from the source right after.
                pendingResync = .resyncNeeded(reason: reason, position: position)
            }
            do {
                ops += try mapper.ops(for: row)
            } catch {
                refused.append(quarantined(row, error))
            }
        }
        return .batch(
            SourceBatch(
                ops: ResourceOp.ordered(ResourceOp.coalesced(ops)), position: position,
                endsTransaction: transaction.isLastPart, commitTime: Int64(transaction.commitTimestamp),
                rowCount: transaction.changes.count, unmapped: refused,
                approvalScope: Self.approvalScope(of: transaction)))
    }

    /// Why some of a transaction's changes to the layout's tables are not in its rows, if
    /// they are not: an XA transaction's rows that came before this read began, a write logged
    /// as a statement, an insert whose row image lacks columns the layout maps (a session's
    /// binlog_row_image MINIMAL or NOBLOB leaves out the columns it did not set, defaults
    /// included).
    private func unloggedChanges(of transaction: BinlogTransaction) -> String? {
        if let reason = transaction.unloggedChanges { return reason }
        for statement in transaction.statements {
            if let table = SchemaChangeEffect.namedLayoutTable(
                in: statement.text, defaultSchema: statement.schema, layoutTables: layoutTables, database: options.database)
            {
                return "a write to \(table) was logged as a statement, not as rows (binlog_format STATEMENT or MIXED "
                    + "in the writing session; scimsync reads rows: set binlog_format=ROW for every session)"
            }
        }
        // Every insert passes here: a full image (no absent value) is the whole check.
        for change in transaction.changes where change.kind == .insert {
            guard let after = change.after, after.contains(where: { if case .absent = $0 { true } else { false } }),
                let missing = missingColumn(of: change, in: after)
            else { continue }
            return "an insert into \(change.table) came without its column \(missing) (binlog_row_image MINIMAL or NOBLOB "
                + "in the writing session; scimsync needs FULL row images: set binlog_row_image=FULL for every session)"
        }
        return nil
    }

    /// A column the layout maps from `change`'s table that its `image` leaves out, if any.
    private func missingColumn(of change: BinlogRowChange, in image: [BinlogValue]) -> String? {
        guard let mapped = mappedColumns[change.table.lowercased()] else { return nil }
        var absent: [String] = []
        for (name, value) in zip(change.columns, image) {
            if case .absent = value { absent.append(name) }
        }
        return mapped.first { column in absent.contains { $0.caseInsensitiveCompare(column) == .orderedSame } }
    }

    /// The parts of one large transaction share a scope: a mass removal that spans them is
    /// approved once, not once per part. A transaction handed on whole has none.
    public static func approvalScope(of transaction: BinlogTransaction) -> String? {
        transaction.partsStart.map { "source transaction from \($0.file):\($0.offset)" }
    }

    /// A row the layout cannot map: its kind and id where the row has one, and the reason
    /// (which names table and column, never the value).
    private func quarantined(_ change: RowChange, _ error: RowMappingError) -> QuarantinedResource {
        let layout = options.layout
        let isGroup = layout.groups.map { $0.table.caseInsensitiveCompare(change.table) == .orderedSame } ?? false
        let mapper = isGroup ? layout.groupMapper : layout.userMapper
        let row = change.after ?? change.before
        let id = row.flatMap { row in mapper.flatMap { try? $0.id(in: row) } } ?? "?"
        return QuarantinedResource(kind: isGroup ? "Group" : "User", id: id, reason: "\(error)")
    }

    /// Runs a source call, translating what the pipeline can recover from into
    /// ``Connectors/SourceFailure``.
    private func translated<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as ReplicationError where error.kind == .positionUnavailable {
            throw SourceFailure.positionLost("\(error)")
        } catch let error as MariaDBError where error.meansSourceGone {
            // The binlog reader reconnects by itself; a catalog lookup's lost connection ends
            // the stream, which starts again from the committed position.
            throw SourceFailure.unavailable("\(error)")
        }
    }
}

extension MariaDBError {
    /// A lost or refused connection: the source restarting, which a later attempt survives.
    public var meansSourceGone: Bool {
        if meansServerBusy { return true }
        switch kind {
        case .lostConnection, .cannotConnect: return true
        case .accessDenied, .permissionDenied, .unknownDatabase, .noSuchTable, .unknownColumn, .wrongParameterCount,
            .other:
            return false
        }
    }
}
