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
public struct TransactionAssembler: Sendable {
    /// What the caller has to do after an event.
    public enum Action: Sendable, Hashable {
        /// Nothing: the event was absorbed.
        case none
        /// A transaction committed: hand it on, then remember its position.
        case emit(BinlogTransaction)
        /// A standalone statement (DDL) committed: record the schema change at its position.
        case emitSchemaChange(SchemaChange)
        /// A transaction ended without committing (ROLLBACK, or the server restarted in the
        /// middle of it, shown by a new FORMAT_DESCRIPTION); its rows were dropped. Resume
        /// from `position` if the caller persists positions of empty work too.
        case dropped(position: BinlogPosition)
    }

    private enum State: Sendable {
        /// Between transactions; a GTID event may have announced the next one.
        case idle(announcedGTID: String?)
        case inTransaction(Pending)
    }

    private struct Pending: Sendable {
        var gtid: String?
        var changes: [BinlogRowChange] = []
    }

    private struct KnownTable: Sendable {
        var map: TableMapEvent
        var columnNames: [String]
        var wanted: Bool
    }

    private var state: State = .idle(announcedGTID: nil)
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

    /// Starts reading `file` at `offset`, with no transaction open.
    public init(file: String, offset: UInt64 = 4, filter: TableFilter = .all) {
        self.file = file
        self.lastBoundary = BinlogPosition(file: file, offset: offset)
        self.filter = filter
    }

    /// True while a transaction has begun and not ended.
    public var isInTransaction: Bool {
        switch state {
        case .idle: false
        case .inTransaction: true
        }
    }

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
        switch state {
        case .inTransaction:
            state = .idle(announcedGTID: nil)
            return .dropped(position: lastBoundary)
        case .idle:
            return .none
        }
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
            state = .idle(announcedGTID: event.gtid)
        } else {
            state = .inTransaction(Pending(gtid: event.gtid))
        }
        return .none
    }

    public mutating func mysqlGTIDReceived(_ event: MySQLGTIDEvent) -> Action {
        state = .idle(announcedGTID: event.gtid)
        return .none
    }

    public mutating func queryReceived(_ event: QueryEvent) -> Action {
        switch (state, event.kind) {
        case (.idle(let gtid), .begin):
            state = .inTransaction(Pending(gtid: gtid))
            return .none
        case (.inTransaction, .begin):
            return .none
        case (.inTransaction(let pending), .commit):
            return commit(pending, header: event.header)
        case (.inTransaction, .rollback):
            state = .idle(announcedGTID: nil)
            lastBoundary = boundary(after: event.header)
            return .dropped(position: lastBoundary)
        case (.idle, .commit), (.idle, .rollback):
            lastBoundary = boundary(after: event.header)
            state = .idle(announcedGTID: nil)
            return .none
        case (.idle(let gtid), .other):
            state = .idle(announcedGTID: nil)
            lastBoundary = boundary(after: event.header)
            return .emitSchemaChange(
                SchemaChange(
                    schema: event.schema, statement: event.statement, position: lastBoundary, gtid: gtid,
                    timestamp: event.header.timestamp
                )
            )
        case (.inTransaction, .other):
            // SAVEPOINT, or statement-logged work inside a transaction; rows are what we track.
            return .none
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
        guard case .inTransaction(var pending) = state else {
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
        let images: [RowImages]
        do {
            images = try event.rows(using: table.map)
        } catch {
            throw .decoding(error)
        }
        let kind = event.kind.rowChangeKind
        // Avoid holding two copies of the pending buffer while appending.
        state = .idle(announcedGTID: nil)
        pending.changes.reserveCapacity(pending.changes.count + images.count)
        for image in images {
            pending.changes.append(
                BinlogRowChange(
                    schema: table.map.schema, table: table.map.table, kind: kind,
                    columns: table.columnNames, before: image.before, after: image.after
                )
            )
        }
        state = .inTransaction(pending)
        return .none
    }

    public mutating func xidReceived(_ event: XIDEvent) -> Action {
        switch state {
        case .inTransaction(let pending):
            return commit(pending, header: event.header)
        case .idle:
            lastBoundary = boundary(after: event.header)
            return .none
        }
    }

    private mutating func commit(_ pending: Pending, header: BinlogEventHeader) -> Action {
        state = .idle(announcedGTID: nil)
        lastBoundary = boundary(after: header)
        return .emit(
            BinlogTransaction(
                changes: pending.changes, position: lastBoundary, gtid: pending.gtid, commitTimestamp: header.timestamp
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
