import Connectors
import Logging
import MySQLBinlog
import SQLClients

/// Committed transactions from a MySQL/MariaDB source, read as a replica: raw events from the
/// replication stream (on the pump's thread) → decoded → TABLE_MAPs completed from the schema
/// history or the catalog → assembled into transactions. Rows of tables outside the filter are
/// never decoded. Lost connections and server restarts are retried with capped backoff,
/// resuming from the last acknowledged position; a position the server no longer has, a
/// refused login or an undecodable event end the reading with a typed error, never a skip.
///
/// Used by one task at a time (not Sendable): call `next()` in a loop, and `acknowledge` each
/// transaction once it is safely handled.
///
/// A transaction of more than ``Configuration/maxChangesPerPart`` row changes comes in parts
/// (``MySQLBinlog/BinlogTransaction/isLastPart``), so memory stays bounded whatever the
/// transaction's size; only a last part's position is a new place to resume. After a
/// reconnection, a transaction whose parts were handed on comes again from its first part.
public final class BinlogChangeReader {
    /// How to reach the source and what to read.
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        public var user: String
        public var password: String
        /// The replica id announced to the server.
        public var serverID: UInt32
        public var filter: TableFilter
        /// End at the end of the binlog (`tail --until now`) instead of waiting for more.
        public var stopAtEnd: Bool
        public var reconnect: ReconnectPolicy
        /// Raw events buffered between the reader thread and the decoder.
        public var bufferCapacity: Int
        /// The most row changes of one transaction held at once; a larger transaction is handed
        /// on in parts of about this many.
        public var maxChangesPerPart: Int
        /// Hand each rows event's changes on as they are decoded, ahead of their part's end
        /// (``MySQLBinlog/TransactionAssembler/handsOnRowsAsRead``): for a caller that turns
        /// each row into something smaller at once and holds that until the part ends.
        public var handsOnRowsAsRead: Bool
        /// Hand rows on as their rows events, not decoded
        /// (``MySQLBinlog/TransactionAssembler/keepsRowsUndecoded``): for a caller that reads
        /// the values straight from the events' bytes.
        public var keepsRowsUndecoded: Bool

        public init(
            host: String, port: Int, user: String, password: String, serverID: UInt32, filter: TableFilter,
            stopAtEnd: Bool = false, reconnect: ReconnectPolicy = ReconnectPolicy(), bufferCapacity: Int = 1024,
            maxChangesPerPart: Int = TransactionAssembler.defaultMaxChangesPerPart, handsOnRowsAsRead: Bool = false,
            keepsRowsUndecoded: Bool = false
        ) {
            self.host = host
            self.port = port
            self.user = user
            self.password = password
            self.serverID = serverID
            self.filter = filter
            self.stopAtEnd = stopAtEnd
            self.reconnect = reconnect
            self.bufferCapacity = bufferCapacity
            self.maxChangesPerPart = maxChangesPerPart
            self.handsOnRowsAsRead = handsOnRowsAsRead
            self.keepsRowsUndecoded = keepsRowsUndecoded
        }
    }

    /// What the reader hands on.
    public enum Output: Sendable {
        /// A committed transaction, or a part of one (``MySQLBinlog/BinlogTransaction/isLastPart``
        /// false), or the empty closing part of a transaction handed on in parts that did not
        /// commit (``MySQLBinlog/BinlogTransaction/isDropped``). With
        /// ``Configuration/handsOnRowsAsRead``, also rows ahead of their part's end
        /// (``MySQLBinlog/BinlogTransaction/endsPart`` false), and after a reconnection in the
        /// middle of a part an empty one marked dropped that voids them.
        case transaction(BinlogTransaction)
        /// A DDL statement committed; tables it touched are looked up again before their next rows.
        case schemaChange(SchemaChange)
    }

    private let configuration: Configuration
    private let catalog: SourceCatalog
    private let events: ReconnectingBinlogReader
    /// Events taken from `events` in one call and not handled yet: `pending[nextPending...]`
    /// (the ones handled are let go: an event can be megabytes).
    private var pending: [ReconnectingBinlogReader.Output?] = []
    private var nextPending = 0
    /// A position acknowledged and not yet passed on to `events`.
    private var acknowledged: BinlogStart?
    private var decoder = BinlogEventDecoder()
    private var assembler: TransactionAssembler
    /// Table shapes by position; the caller persists `history` to survive restarts.
    public private(set) var history: SchemaHistory

    /// - Parameters:
    ///   - start: a file and offset (an event boundary) or a MariaDB GTID position.
    ///   - history: what earlier runs recorded; empty on a first run.
    public convenience init(
        configuration: Configuration, start: BinlogStart, catalog: SourceCatalog, history: SchemaHistory = SchemaHistory(),
        logger: Logger = Logger(label: "scimsync.binlog"), connectionChanged: (@Sendable (String?) -> Void)? = nil
    ) {
        self.init(
            configuration: configuration, start: start, catalog: catalog, history: history, logger: logger,
            connectionChanged: connectionChanged
        ) { start in
            try MariaDBReplicationStream(
                host: configuration.host, port: configuration.port, user: configuration.user,
                password: configuration.password, serverID: configuration.serverID, start: start,
                nonBlocking: configuration.stopAtEnd)
        }
    }

    /// Reads the events of what `source` opens (at `start`, and again at each reconnection)
    /// instead of a replication connection of its own: a recorded stream, or a test's.
    public init(
        configuration: Configuration, start: BinlogStart, catalog: SourceCatalog, history: SchemaHistory = SchemaHistory(),
        logger: Logger = Logger(label: "scimsync.binlog"), connectionChanged: (@Sendable (String?) -> Void)? = nil,
        source: @escaping @Sendable (BinlogStart) throws -> any BinlogEventSource
    ) {
        self.configuration = configuration
        self.catalog = catalog
        self.history = history
        assembler = Self.assembler(from: start, configuration: configuration)
        events = ReconnectingBinlogReader(
            start: start, policy: configuration.reconnect, capacity: configuration.bufferCapacity, logger: logger,
            connectionChanged: connectionChanged, open: source)
    }

    /// The position after the last transaction or statement read: where to resume.
    public var position: BinlogPosition { assembler.lastBoundary }

    /// Whether events already received wait to be decoded. A caller grouping transactions
    /// (group commit) takes more with ``nextBuffered()``, not with `next()` while this is true:
    /// the buffered events may make no output (a heartbeat), and `next()` would then wait.
    public func hasBufferedEvents() async -> Bool {
        if nextPending < pending.count { return true }
        return await events.bufferedEventCount > 0
    }

    /// Marks everything up to `position` as handled: a reconnection resumes there. The reader's
    /// actor learns it with the next run of events it hands over (a reconnection can only
    /// happen while handing one over), not in a call of its own for each transaction.
    public func acknowledge(_ position: BinlogPosition) async {
        acknowledged = .filePosition(file: position.file, position: position.offset)
    }

    /// The next committed transaction or DDL statement; nil when the stream ended
    /// (`stopAtEnd`) or `stop()` was called.
    /// - Throws: `ReplicationError` that retrying cannot fix (position unavailable, access
    ///   denied), `BinlogDecodeError`/`TransactionAssemblyError` for an event that cannot be
    ///   decoded, `BinlogSourceError` for a table the catalog cannot describe.
    public func next() async throws -> Output? {
        while let item = try await nextItem() {
            if let output = try await handle(item) { return output }
        }
        return nil
    }

    /// Events read by the replication thread come to this task in runs (as many as are
    /// buffered, up to this many), one hop onto the reader's actor per run rather than one per
    /// event: a transaction of a few rows is four or five events.
    static let eventsPerHop = 256

    /// The next event or restart notice: a pending one, or the next run's first.
    private func nextItem() async throws -> ReconnectingBinlogReader.Output? {
        if nextPending < pending.count {
            let item = pending[nextPending]
            pending[nextPending] = nil
            nextPending += 1
            return item
        }
        pending.removeAll(keepingCapacity: true)
        nextPending = 0
        let acknowledging = acknowledged
        acknowledged = nil
        guard let run = try await events.nextBatch(limit: Self.eventsPerHop, acknowledging: acknowledging),
            let first = run.first
        else { return nil }
        for item in run.dropFirst() { pending.append(item) }
        return first
    }

    /// The next output that the events already received make, without waiting for the
    /// server: nil once they are used up without making one (a heartbeat, a checkpoint, the
    /// first half of a transaction). For a caller grouping outputs (group commit) that must
    /// never stall the group it holds; events it consumed are not lost, `next()` goes on
    /// from them. Nil here does not mean the stream ended; `next()` says that.
    /// - Throws: what `next()` throws.
    public func nextBuffered() async throws -> Output? {
        while await hasBufferedEvents() {
            guard let item = try await nextItem() else { return nil }
            if let output = try await handle(item) { return output }
        }
        return nil
    }

    /// Stops reading and closes the connection.
    public func stop() async {
        pending = []
        nextPending = 0
        if let acknowledged { await events.acknowledge(acknowledged) }
        acknowledged = nil
        await events.stop()
    }

    private static func assembler(from start: BinlogStart, configuration: Configuration) -> TransactionAssembler {
        let filter = configuration.filter
        let partSize = configuration.maxChangesPerPart
        let asRead = configuration.handsOnRowsAsRead
        let undecoded = configuration.keepsRowsUndecoded
        switch start {
        case .filePosition(let file, let position):
            return TransactionAssembler(
                file: file, offset: position, filter: filter, maxChangesPerPart: partSize, handsOnRowsAsRead: asRead,
                keepsRowsUndecoded: undecoded)
        // The stream's first event, a ROTATE, names the file.
        case .gtid:
            return TransactionAssembler(
                file: "", offset: 4, filter: filter, maxChangesPerPart: partSize, handsOnRowsAsRead: asRead,
                keepsRowsUndecoded: undecoded)
        }
    }

    // MARK: - Events

    private func handle(_ item: ReconnectingBinlogReader.Output) async throws -> Output? {
        switch item {
        case .restarted(let start, _):
            // The new connection repeats the FORMAT_DESCRIPTION and every TABLE_MAP before
            // its rows; a half-read transaction comes again from its start (its first part,
            // if parts of it were handed on: their positions were the boundary before it).
            let voided = assembler.handedOnRowsOfOpenPart
            let before = assembler.lastBoundary
            decoder = BinlogEventDecoder()
            assembler = Self.assembler(from: start, configuration: configuration)
            guard voided else { return nil }
            // Rows handed on ahead of their part's end come again too: the caller drops them.
            return .transaction(
                BinlogTransaction(
                    changes: [], position: before, gtid: nil, commitTimestamp: 0, isLastPart: false, isDropped: true,
                    endsPart: false))
        case .event(let raw):
            return try await handle(raw)
        }
    }

    private func handle(_ raw: RawBinlogEvent) async throws -> Output? {
        var event = try decoder.decode(raw.bytes, position: eventPosition(raw))
        if case .tableMap(let map) = event, configuration.filter.includes(map) {
            event = .tableMap(try await described(map))
        }
        switch try assembler.eventReceived(event) {
        case .emit(let transaction):
            return .transaction(transaction)
        case .emitSchemaChange(let change):
            tablesChanged(by: change)
            return .schemaChange(change)
        case .dropped, .none:
            return nil
        }
    }

    /// Where the event starts, for error messages: its end position minus its size (the
    /// artificial events of a dump's start carry no position).
    private func eventPosition(_ raw: RawBinlogEvent) -> BinlogPosition {
        let end = UInt64(raw.nextPosition)
        let size = UInt64(raw.bytes.count)
        return BinlogPosition(file: assembler.file, offset: end >= size ? end - size : 0)
    }

    /// The TABLE_MAP completed from what the table looked like at this position: names,
    /// signedness, charsets and ENUM/SET members when the map lacks them, and MariaDB's JSON
    /// columns always.
    private func described(_ map: TableMapEvent) async throws -> TableMapEvent {
        let position = assembler.lastBoundary
        var columns = history.columns(schema: map.schema, table: map.table, at: position)
        if columns == nil {
            let looked = try await catalog.columns(schema: map.schema, table: map.table)
            history.record(.init(position: position, schema: map.schema, table: map.table, columns: looked))
            columns = looked
        }
        guard let columns, !columns.isEmpty else { return map }
        if map.hasColumnNames {
            return map.markingJSONColumns(Set(columns.filter(\.holdsJSONText).map(\.name)))
        }
        do {
            return try map.describing(columns)
        } catch {
            throw BinlogSourceError.tableChanged(table: map.qualifiedName, position: position)
        }
    }

    /// A DDL statement may have changed any table of its schema it names; those are looked up
    /// again before their next rows.
    private func tablesChanged(by change: SchemaChange) {
        let statement = change.statement.lowercased()
        for entry in history.allEntries where entry.columns != nil {
            let mentioned = statement.contains(entry.table.lowercased())
            guard mentioned, entry.schema == change.schema || statement.contains(entry.schema.lowercased()) else { continue }
            history.tableChanged(schema: entry.schema, table: entry.table, at: change.position)
        }
    }
}

/// Why a source's rows cannot be decoded.
public enum BinlogSourceError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The TABLE_MAP has no column names and the table's columns differ from what the catalog
    /// and the schema history know for this position.
    case tableChanged(table: String, position: BinlogPosition)

    public var description: String {
        switch self {
        case .tableChanged(let table, let position):
            "cannot decode rows of \(table) at \(position): the table changed since they were written and the binlog "
                + "does not name its columns; set binlog_row_metadata=FULL on the source, then take a new snapshot"
        }
    }
}
