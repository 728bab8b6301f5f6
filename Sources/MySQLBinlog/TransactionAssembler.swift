import Directory

/// Groups decoded events into committed transactions, as a value-type state machine: each
/// method is named after what arrived, updates the state and returns what the caller must do.
/// It does no I/O.
///
/// Boundaries, per server:
/// - MariaDB: a GTID event opens a transaction (no `BEGIN`); it ends with an XID (InnoDB) or a
///   `COMMIT` query (non-transactional engines). A GTID flagged standalone announces one
///   statement (DDL) that is its own transaction.
/// - MySQL: a GTID or anonymous GTID event, then `BEGIN` … XID/`COMMIT`, or a single DDL query.
/// - `ROLLBACK` (written when non-transactional changes were mixed in) drops the transaction.
///
/// Rows of tables the ``TableFilter`` excludes are skipped without decoding their images.
///
/// Memory stays bounded: a transaction of more than ``maxChangesPerPart`` row changes is handed
/// on in parts as its rows arrive (``BinlogTransaction/isLastPart`` false on all but the last),
/// each part positioned at the boundary before the transaction, so that resuming from any
/// part's position reads the whole transaction again. A transaction that ends without
/// committing after parts of it were handed on ends with an empty closing part marked
/// ``BinlogTransaction/isDropped``: the caller already has rows that did not commit.
///
/// With ``handsOnRowsAsRead``, each rows event's changes are also handed on as soon as they
/// are decoded, ahead of their part's end (``BinlogTransaction/endsPart`` false): a caller that
/// turns each row into something smaller at once (`scimsync tail`'s text) then never holds a
/// part's decoded rows, which for a part of thousands of rows no longer fit in the processor's
/// caches by the time the part is complete. Parts end where they would without it.
///
/// With ``keepsRowsUndecoded``, rows events are counted but not decoded, and handed on as
/// ``UndecodedRows`` (``BinlogTransaction/undecoded``) for a caller that reads the values
/// straight from the event's bytes.
public struct TransactionAssembler: Sendable {
    /// What the caller has to do after an event.
    public enum Action: Sendable, Hashable {
        /// Nothing: the event was absorbed.
        case none
        /// A transaction committed, or a part of a large one is complete: hand it on, then
        /// remember its position once ``BinlogTransaction/isLastPart``. A transaction handed on
        /// in parts (or rows, see ``handsOnRowsAsRead``) that then ended without committing
        /// ends with an empty part marked ``BinlogTransaction/isDropped``.
        case emit(BinlogTransaction)
        /// A standalone statement (DDL) committed: record the schema change at its position.
        case emitSchemaChange(SchemaChange)
        /// A transaction ended without committing (ROLLBACK, or the server restarted in the
        /// middle of it, shown by a new FORMAT_DESCRIPTION) before any part or row of it was
        /// handed on; its rows were dropped. Resume from `position` if the caller persists positions
        /// of empty work too.
        case dropped(position: BinlogPosition)
    }

    // The open transaction lives in stored properties, not in an enum payload: its rows are
    // appended in place, with no copy to take out of the enum and put back (one still shared
    // with the enum while appending would copy every row gathered so far; see
    // ``RowChangeBuffer`` for what keeps appending linear).

    /// Whether a transaction has begun and not ended.
    public private(set) var isInTransaction = false
    /// In a transaction, its GTID; between transactions, the GTID event's that announced the
    /// next one.
    private var gtid: String?
    private var pending = RowChangeBuffer()
    /// The open part's rows events, with ``keepsRowsUndecoded``.
    private var pendingEvents: [UndecodedRows] = []
    /// Parts of the open transaction already handed on.
    private var partsHandedOn = 0
    /// Row changes of the open part: `pending`'s, and with ``handsOnRowsAsRead`` also those
    /// already handed on ahead of the part's end.
    private var changesInPart = 0
    /// Statements the open part logged as text (statement-based DML).
    private var pendingStatements: [LoggedStatement] = []
    /// Two-phase XA transactions ended (`XA END`, then XA PREPARE) and not yet resolved, by
    /// their XID as the statements spell it: their rows wait for `XA COMMIT`.
    private var preparedXA: [String: PreparedXA] = [:]

    /// What is held of a prepared XA transaction.
    private enum PreparedXA: Sendable, Hashable {
        /// Its rows, to hand on at its XA COMMIT.
        case held([BinlogRowChange])
        /// Not held (too large, parts already handed on, or rows kept undecoded).
        case notHeld(partsHandedOn: Bool)
    }

    /// The most prepared XA transactions held at once, and the most row changes in all of
    /// them: beyond, a commit asks for the source to be read again.
    static let maxPreparedXA = 64

    private struct KnownTable: Sendable {
        var map: TableMapEvent
        var columnNames: [String]
        var wanted: Bool
    }

    private var tables: [UInt64: KnownTable] = [:]
    private var tableIDsByName: [String: UInt64] = [:]
    public var filter: TableFilter {
        didSet {
            for (id, known) in tables {
                tables[id]?.wanted = filter.includes(known.map)
            }
        }
    }

    /// The binlog file being read, from the last ROTATE.
    public private(set) var file: String
    /// The position after the last transaction or statement that ended.
    public private(set) var lastBoundary: BinlogPosition
    /// The most row changes held before a part of the open transaction is handed on (a part
    /// may exceed it by the rows of one rows event).
    public let maxChangesPerPart: Int
    /// Hand each rows event's changes on as they are decoded (see the type's description).
    public let handsOnRowsAsRead: Bool
    /// Hand rows on as their events, not decoded (see the type's description).
    public let keepsRowsUndecoded: Bool

    /// The default ``maxChangesPerPart``: large enough that ordinary transactions come whole,
    /// small enough that a part of a table-wide update takes a few megabytes.
    public static let defaultMaxChangesPerPart = 10_000

    /// Starts reading `file` at `offset`, with no transaction open.
    public init(
        file: String, offset: UInt64 = 4, filter: TableFilter = .all,
        maxChangesPerPart: Int = TransactionAssembler.defaultMaxChangesPerPart, handsOnRowsAsRead: Bool = false,
        keepsRowsUndecoded: Bool = false
    ) {
        self.file = file
        self.lastBoundary = BinlogPosition(file: file, offset: offset)
        self.filter = filter
        self.maxChangesPerPart = max(1, maxChangesPerPart)
        self.handsOnRowsAsRead = handsOnRowsAsRead
        self.keepsRowsUndecoded = keepsRowsUndecoded
    }

    /// Whether rows of the open part were handed on ahead of its end (``handsOnRowsAsRead``):
    /// a caller that drops this assembler for a new one (a reconnection reads the transaction
    /// again) must void them.
    public var handedOnRowsOfOpenPart: Bool {
        isInTransaction && changesInPart > pending.count + pendingEvents.reduce(0) { $0 + $1.count }
    }

    /// How often the open transaction's rows moved to new storage while appending (see
    /// ``RowChangeBuffer/storageMoves``).
    var pendingStorageMoves: Int { pending.storageMoves }

    /// The TABLE_MAP known for `tableID`.
    public func tableMap(for tableID: UInt64) -> TableMapEvent? {
        tables[tableID]?.map
    }

    /// The latest TABLE_MAP of `schema.table`: what its rows in the last transaction were
    /// decoded with (column names, precisions for printing).
    public func tableMap(schema: String, table: String) -> TableMapEvent? {
        tableIDsByName[schema + "." + table].flatMap { tables[$0]?.map }
    }

    /// Feeds any event to the method named after its kind.
    public mutating func eventReceived(_ event: BinlogEvent) throws(TransactionAssemblyError) -> Action {
        switch event {
        case .formatDescription(let event): return formatDescriptionReceived(event)
        case .rotate(let event): return rotateReceived(event)
        case .query(let event): return queryReceived(event)
        case .xid(let event): return xidReceived(event)
        case .tableMap(let event): return tableMapReceived(event)
        case .rows(let event): return try rowsReceived(event)
        case .mariaDBGTID(let event): return mariaDBGTIDReceived(event)
        case .mysqlGTID(let event): return mysqlGTIDReceived(event)
        case .incident(let event): throw .incident(code: event.incident, position: boundary(after: event.header))
        case .mariaDBGTIDList, .binlogCheckpoint, .annotateRows, .previousGTIDs, .heartbeat, .other:
            return .none
        }
    }

    /// A new FORMAT_DESCRIPTION: a new file, or the server restarted. A transaction still open
    /// then never committed.
    public mutating func formatDescriptionReceived(_ event: FormatDescriptionEvent) -> Action {
        guard isInTransaction else { return .none }
        // The server writes a transaction to the binlog at commit, XID last, and its crash
        // recovery rolls back every transaction whose XID is not there: none of these rows
        // committed. Reading resumes before the transaction.
        return drop(at: lastBoundary, timestamp: event.header.timestamp)
    }

    /// The binlog continues in another file.
    public mutating func rotateReceived(_ event: RotateEvent) -> Action {
        file = event.nextFile
        if !isInTransaction {
            lastBoundary = BinlogPosition(file: event.nextFile, offset: event.position)
        }
        return .none
    }

    public mutating func mariaDBGTIDReceived(_ event: MariaDBGTIDEvent) -> Action {
        if event.flags.contains(.standalone) {
            close(announcing: event.gtid)
        } else {
            open(gtid: event.gtid)
        }
        return .none
    }

    public mutating func mysqlGTIDReceived(_ event: MySQLGTIDEvent) -> Action {
        close(announcing: event.gtid)
        return .none
    }

    public mutating func queryReceived(_ event: QueryEvent) -> Action {
        if event.kind == .other, let xa = XAStatement(event.statement) { return xaReceived(xa, event) }
        switch (isInTransaction, event.kind) {
        case (false, .begin):
            open(gtid: gtid)
            return .none
        case (true, .begin):
            return .none
        case (true, .commit):
            return commit(header: event.header)
        case (true, .rollback):
            lastBoundary = boundary(after: event.header)
            return drop(at: lastBoundary, timestamp: event.header.timestamp)
        case (false, .commit), (false, .rollback):
            lastBoundary = boundary(after: event.header)
            close(announcing: nil)
            return .none
        case (false, .other):
            let gtid = self.gtid
            close(announcing: nil)
            lastBoundary = boundary(after: event.header)
            return .emitSchemaChange(
                SchemaChange(
                    schema: event.schema, statement: event.statement, position: lastBoundary, gtid: gtid,
                    timestamp: event.header.timestamp
                )
            )
        case (true, .other):
            // SAVEPOINT and the like change no rows; anything else is work logged as a
            // statement (a session with binlog_format STATEMENT or MIXED): the caller decides
            // whether it touched tables it follows.
            if !QueryEvent.isSavepointStatement(event.statement) {
                pendingStatements.append(LoggedStatement(schema: event.schema, text: event.statement))
            }
            return .none
        }
    }

    /// A two-phase XA transaction's steps (MariaDB 10.5 and later, MySQL): its GTID and rows,
    /// `XA END xid` and an XA_PREPARE event end it without committing; a later group holds
    /// only `XA COMMIT xid` or `XA ROLLBACK xid`. The rows are held from the END to the
    /// COMMIT, which hands them on at its own position; a ROLLBACK drops them.
    private mutating func xaReceived(_ statement: XAStatement, _ event: QueryEvent) -> Action {
        switch statement {
        case .start:
            // MySQL opens an XA transaction with this statement instead of BEGIN.
            if !isInTransaction { open(gtid: gtid) }
            return .none
        case .end(let xid):
            guard isInTransaction else { return .none }
            let handedOn = partsHandedOn > 0 || handedOnRowsOfOpenPart
            let heldRows = preparedXA.values.reduce(0) { if case .held(let rows) = $1 { $0 + rows.count } else { $0 } }
            if !handedOn, pendingEvents.isEmpty, preparedXA.count < Self.maxPreparedXA,
                heldRows + pending.count <= maxChangesPerPart
            {
                preparedXA[xid] = .held(pending.take(keepingRoom: false))
            } else {
                preparedXA[xid] = .notHeld(partsHandedOn: handedOn)
            }
            // Not committed: the position stays before it (lastBoundary is unchanged).
            close(announcing: nil)
            return .none
        case .commit(let xid), .rollback(let xid):
            let committed = if case .commit = statement { true } else { false }
            let position = boundary(after: event.header)
            let gtid = self.gtid
            close(announcing: nil)
            lastBoundary = position
            let prepared = preparedXA.removeValue(forKey: xid)
            var transaction = BinlogTransaction(
                changes: [], position: position, gtid: gtid, commitTimestamp: event.header.timestamp)
            switch (committed, prepared) {
            case (true, .held(let rows)?):
                transaction.changes = rows
            case (true, _):
                transaction.unloggedChanges =
                    "an XA transaction (XID \(xid)) committed whose rows came at its XA PREPARE, "
                    + (prepared == nil ? "before this read of the binlog began" : "too many to hold until its commit")
            case (false, .notHeld(partsHandedOn: true)?):
                // Parts (or rows read ahead) of it are with the caller: void them, as a
                // ROLLBACK after parts does.
                transaction.isDropped = true
            case (false, _):
                break
            }
            return .emit(transaction)
        }
    }

    public mutating func tableMapReceived(_ event: TableMapEvent) -> Action {
        // The same TABLE_MAP again (before every transaction on the table): only its header is
        // new. No `schema.table` String, column names or filter lookup to redo; the id still
        // maps the name, since a newer id for the name would have removed this entry.
        if let known = tables[event.tableID], known.map.describesSameTable(as: event) {
            tables[event.tableID]?.map.header = event.header
            return .none
        }
        let name = event.qualifiedName
        if let previous = tableIDsByName[name], previous != event.tableID {
            // After ALTER TABLE the server maps the table under a new id; forget the old one.
            tables[previous] = nil
        }
        tableIDsByName[name] = event.tableID
        tables[event.tableID] = KnownTable(map: event, columnNames: event.columnNames, wanted: filter.includes(event))
        return .none
    }

    public mutating func rowsReceived(_ event: RowsEvent) throws(TransactionAssemblyError) -> Action {
        guard isInTransaction else {
            throw .rowsOutsideTransaction(position: event.position)
        }
        guard let table = tables[event.tableID] else {
            throw .decoding(
                BinlogDecodeError(
                    reason: .unknownTableID(event.tableID), position: event.position,
                    eventTypeCode: event.header.typeCode
                )
            )
        }
        guard table.wanted else { return .none }
        let count: Int
        if keepsRowsUndecoded {
            do {
                count = try event.rowCount(using: table.map)
            } catch {
                throw .decoding(error)
            }
            pendingEvents.append(
                UndecodedRows(event: event, table: table.map, columnNames: table.columnNames, count: count))
        } else {
            let images: [RowImages]
            do {
                images = try event.rows(using: table.map)
            } catch {
                throw .decoding(error)
            }
            let kind = event.kind.rowChangeKind
            for image in images {
                pending.append(
                    BinlogRowChange(
                        schema: table.map.schema, table: table.map.table, kind: kind,
                        columns: table.columnNames, before: image.before, after: image.after
                    )
                )
            }
            count = images.count
        }
        changesInPart += count
        guard changesInPart >= maxChangesPerPart else {
            guard handsOnRowsAsRead, count > 0 else { return .none }
            // Ahead of the part's end: where it ends is told later.
            return .emit(
                takePending(
                    keepingRoom: true, position: lastBoundary, gtid: gtid, commitTimestamp: event.header.timestamp,
                    isLastPart: false, endsPart: false))
        }
        // A part: positioned before the transaction, where reading resumes to replay it
        // whole; its commit time is not known yet, so the rows event's time stands in.
        partsHandedOn += 1
        changesInPart = 0
        return .emit(
            takePending(
                keepingRoom: true, position: lastBoundary, gtid: gtid, commitTimestamp: event.header.timestamp,
                isLastPart: false, partsStart: lastBoundary))
    }

    /// The open part's rows gathered so far as a transaction (or part), emptying them.
    private mutating func takePendingStatements() -> [LoggedStatement] {
        defer { pendingStatements = [] }
        return pendingStatements
    }

    private mutating func takePending(
        keepingRoom: Bool, position: BinlogPosition, gtid: String?, commitTimestamp: UInt32, isLastPart: Bool,
        endsPart: Bool = true, partsStart: BinlogPosition? = nil
    ) -> BinlogTransaction {
        let events = pendingEvents
        pendingEvents = []
        if keepingRoom { pendingEvents.reserveCapacity(events.count) }
        return BinlogTransaction(
            changes: pending.take(keepingRoom: keepingRoom), position: position, gtid: gtid,
            commitTimestamp: commitTimestamp, isLastPart: isLastPart, endsPart: endsPart, undecoded: events,
            partsStart: partsStart, statements: takePendingStatements())
    }

    public mutating func xidReceived(_ event: XIDEvent) -> Action {
        guard isInTransaction else {
            lastBoundary = boundary(after: event.header)
            return .none
        }
        return commit(header: event.header)
    }

    private mutating func open(gtid: String?) {
        isInTransaction = true
        self.gtid = gtid
        pending = RowChangeBuffer()
        pendingEvents = []
        pendingStatements = []
        partsHandedOn = 0
        changesInPart = 0
    }

    /// Ends any open transaction, keeping nothing of it.
    private mutating func close(announcing gtid: String?) {
        isInTransaction = false
        self.gtid = gtid
        pending = RowChangeBuffer()
        pendingEvents = []
        pendingStatements = []
        partsHandedOn = 0
        changesInPart = 0
    }

    private mutating func commit(header: BinlogEventHeader) -> Action {
        let position = boundary(after: header)
        // Inside a transaction the last boundary is the one before it.
        let transaction = takePending(
            keepingRoom: false, position: position, gtid: gtid, commitTimestamp: header.timestamp, isLastPart: true,
            partsStart: partsHandedOn > 0 ? lastBoundary : nil)
        close(announcing: nil)
        lastBoundary = position
        return .emit(transaction)
    }

    /// The open transaction ended without committing; reading goes on from `position`.
    private mutating func drop(at position: BinlogPosition, timestamp: UInt32) -> Action {
        // Rows handed on ahead of a part's end count: the caller holds them.
        let handedOn = partsHandedOn + (handedOnRowsOfOpenPart ? 1 : 0)
        let gtid = self.gtid
        close(announcing: nil)
        guard handedOn > 0 else { return .dropped(position: position) }
        // Its earlier parts are with the caller already and cannot be taken back: say so with
        // a closing part, so that the caller can warn that the target holds rows the source
        // did not commit (for a ROLLBACK, rows of non-transactional tables did change).
        return .emit(
            BinlogTransaction(
                changes: [], position: position, gtid: gtid, commitTimestamp: timestamp, isLastPart: true,
                isDropped: true
            )
        )
    }

    private func boundary(after header: BinlogEventHeader) -> BinlogPosition {
        BinlogPosition(file: file, offset: UInt64(header.nextPosition))
    }
}

extension RowsEvent.Kind {
    var rowChangeKind: RowChange.Kind {
        switch self {
        case .write: .insert
        case .update: .update
        case .delete: .delete
        }
    }
}

/// Why events could not be assembled into transactions.
public enum TransactionAssemblyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A row event could not be decoded.
    case decoding(BinlogDecodeError)
    /// Rows arrived with no transaction open: reading started inside a transaction.
    case rowsOutsideTransaction(position: BinlogPosition)
    /// The source logged an INCIDENT (events were lost on the source).
    case incident(code: UInt16, position: BinlogPosition)

    public var description: String {
        switch self {
        case .decoding(let error):
            error.description
        case .rowsOutsideTransaction(let position):
            "rows event at \(position) outside a transaction: reading started in the middle of one; "
                + "start at a transaction boundary (a position scimsync recorded, or a GTID)."
        case .incident(let code, let position):
            "the source logged an incident (code \(code)) at \(position): it lost binlog events. "
                + "Reconcile the target against a fresh snapshot."
        }
    }
}
