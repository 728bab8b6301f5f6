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

        public init(
            host: String, port: Int, user: String, password: String, serverID: UInt32, filter: TableFilter,
            stopAtEnd: Bool = false, reconnect: ReconnectPolicy = ReconnectPolicy(), bufferCapacity: Int = 1024
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
        }
    }

    /// What the reader hands on.
    public enum Output: Sendable {
        case transaction(BinlogTransaction)
        /// A DDL statement committed; tables it touched are looked up again before their next rows.
        case schemaChange(SchemaChange)
    }

    private let configuration: Configuration
    private let catalog: SourceCatalog
    private let events: ReconnectingBinlogReader
    private var decoder = BinlogEventDecoder()
    private var assembler: TransactionAssembler
    /// Table shapes by position; the caller persists `history` to survive restarts.
    public private(set) var history: SchemaHistory

    /// - Parameters:
    ///   - start: a file and offset (an event boundary) or a MariaDB GTID position.
    ///   - history: what earlier runs recorded; empty on a first run.
    public init(
        configuration: Configuration, start: BinlogStart, catalog: SourceCatalog, history: SchemaHistory = SchemaHistory(),
        logger: Logger = Logger(label: "scimsync.binlog")
    ) {
        self.configuration = configuration
        self.catalog = catalog
        self.history = history
        assembler = Self.assembler(from: start, filter: configuration.filter)
        events = ReconnectingBinlogReader(
            start: start, policy: configuration.reconnect, capacity: configuration.bufferCapacity, logger: logger
        ) { start in
            try MariaDBReplicationStream(
                host: configuration.host, port: configuration.port, user: configuration.user,
                password: configuration.password, serverID: configuration.serverID, start: start,
                nonBlocking: configuration.stopAtEnd)
        }
    }

    /// The position after the last transaction or statement read: where to resume.
    public var position: BinlogPosition { assembler.lastBoundary }

    /// The TABLE_MAP the last rows of `schema.table` were decoded with.
    public func tableMap(schema: String, table: String) -> TableMapEvent? {
        assembler.tableMap(schema: schema, table: table)
    }

    /// Whether events already received wait to be decoded: a caller grouping transactions
    /// (group commit) takes more only while this is true, so grouping never waits for the
    /// server.
    public func hasBufferedEvents() async -> Bool {
        await events.bufferedEventCount > 0
    }

    /// Marks everything up to `position` as handled: a reconnection resumes there.
    public func acknowledge(_ position: BinlogPosition) async {
        await events.acknowledge(.filePosition(file: position.file, position: position.offset))
    }

    /// The next committed transaction or DDL statement; nil when the stream ended
    /// (`stopAtEnd`) or `stop()` was called.
    /// - Throws: `ReplicationError` that retrying cannot fix (position unavailable, access
    ///   denied), `BinlogDecodeError`/`TransactionAssemblyError` for an event that cannot be
    ///   decoded, `BinlogSourceError` for a table the catalog cannot describe.
    public func next() async throws -> Output? {
        while let item = try await events.next() {
            switch item {
            case .restarted(let start, _):
                // The new connection repeats the FORMAT_DESCRIPTION and every TABLE_MAP before
                // its rows; a half-read transaction comes again from its start.
                decoder = BinlogEventDecoder()
                assembler = Self.assembler(from: start, filter: configuration.filter)
            case .event(let raw):
                if let output = try await handle(raw) { return output }
            }
        }
        return nil
    }

    /// The next transaction or DDL statement if the events already received make one; nil
    /// instead of waiting for the server. A caller grouping transactions (group commit) takes
    /// more with this: a heartbeat or a BINLOG_CHECKPOINT waiting in the buffer must not make
    /// it wait for the source's next transaction while the batch in hand is not applied.
    public func nextBuffered() async throws -> Output? {
        while await events.bufferedEventCount > 0 {
            guard let item = try await events.next() else { return nil }
            switch item {
            case .restarted(let start, _):
                decoder = BinlogEventDecoder()
                assembler = Self.assembler(from: start, filter: configuration.filter)
            case .event(let raw):
                if let output = try await handle(raw) { return output }
            }
        }
        return nil
    }

    /// Stops reading and closes the connection.
    public func stop() async {
        await events.stop()
    }

    private static func assembler(from start: BinlogStart, filter: TableFilter) -> TransactionAssembler {
        switch start {
        case .filePosition(let file, let position): TransactionAssembler(file: file, offset: position, filter: filter)
        // The stream's first event, a ROTATE, names the file.
        case .gtid: TransactionAssembler(file: "", offset: 4, filter: filter)
        }
    }

    // MARK: - Events

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
