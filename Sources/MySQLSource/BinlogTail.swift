import Config
import Directory
import Logging
import MySQLBinlog
import SQLClients

/// `scimsync tail`: prints every decoded row change of a MySQL/MariaDB source as one JSON
/// line (``MySQLBinlog/RowChangeJSON``), as the replicator sees it.
public enum BinlogTail {
    /// The tables a layout reads, as `database.table`.
    public static func tables(of layout: DirectoryLayout, database: String) -> Set<String> {
        MySQLConnector.tables(of: layout, database: database)
    }

    /// Reads from `range.start` until `range.end` (or until interrupted) and hands each line
    /// to `write`, a transaction at a time; a transaction larger than `maxChangesPerPart` row
    /// changes a part at a time, its rows printed as they are read (their position is the
    /// boundary before the transaction until the last part's, which is after its commit).
    /// - Parameter serverID: the replica id to announce; it must differ from the pipeline's own
    ///   (a server drops an older replica connection with the same id).
    public static func run(
        source: MySQLConnectionConfig, serverID: UInt32, range: TailRange, tables: Set<String>,
        maxChangesPerPart: Int = TransactionAssembler.defaultMaxChangesPerPart,
        logger: Logger = Logger(label: "scimsync.tail"), write: (String) -> Void
    ) async throws {
        let catalog = SourceCatalog {
            try MariaDBConnection(
                host: source.host, port: source.port, user: source.user, password: source.password,
                database: source.database)
        }
        // A binlog that is off, not ROW or not FULL, or a user who may not read it: say so now,
        // not after a confusing stream error.
        let problems = try await catalog.withConnection { try $0.binlogSettings().problems }
        guard problems.isEmpty else { throw TailError.sourceNotReady(problems) }

        let start: BinlogStart
        switch range.start {
        case .earliest:
            let first = try await catalog.withConnection { try $0.binaryLogs().first }
            guard let first else { throw TailError.noBinaryLogs }
            start = .filePosition(file: first.name, position: 4)
        case .now:
            start = try await catalog.withConnection { try $0.currentBinlogPosition() }.start
        case .position(let position):
            start = .filePosition(file: position.file, position: position.offset)
        case .gtid(let gtid):
            start = .gtid(gtid)
        }
        let end: BinlogPosition?
        switch range.end {
        case .none:
            end = nil
        case .now:
            let now = try await catalog.withConnection { try $0.currentBinlogPosition() }
            end = BinlogPosition(file: now.file, offset: now.offset)
        case .position(let position):
            end = position
        }

        let reader = BinlogChangeReader(
            configuration: .init(
                host: source.host, port: source.port, user: source.user, password: source.password, serverID: serverID,
                filter: TableFilter(tables: range.tables ?? tables), stopAtEnd: end != nil,
                maxChangesPerPart: maxChangesPerPart),
            start: start, catalog: catalog, logger: logger)
        while let output = try await reader.next() {
            let position: BinlogPosition
            switch output {
            case .transaction(let transaction):
                var lines = ""
                for change in transaction.changes {
                    let columns = reader.tableMap(schema: change.schema, table: change.table)?.columns
                    lines += RowChangeJSON.line(
                        change, columns: columns, position: transaction.position, gtid: transaction.gtid,
                        commitTimestamp: transaction.commitTimestamp) + "\n"
                }
                if !lines.isEmpty { write(lines) }
                if transaction.isDropped {
                    logger.warning(
                        "a transaction ended without committing after rows of it were printed; they did not commit",
                        metadata: ["gtid": "\(transaction.gtid ?? "none")", "position": "\(transaction.position)"])
                }
                // More parts follow: nothing ended, nothing to acknowledge or stop at.
                guard transaction.isLastPart else { continue }
                position = transaction.position
            case .schemaChange(let change):
                position = change.position
            }
            await reader.acknowledge(position)
            if let end, !(position < end) { break }
        }
        await reader.stop()
    }
}

/// Why `scimsync tail` could not start.
public enum TailError: Error, Sendable, Hashable, CustomStringConvertible {
    case noBinaryLogs
    /// The source cannot be read as a replica; each problem names its fix.
    case sourceNotReady([String])

    public var description: String {
        switch self {
        case .noBinaryLogs: "the server lists no binary logs: is log_bin on?"
        case .sourceNotReady(let problems): "the source is not ready for row-based reading: " + problems.joined(separator: "; ")
        }
    }
}
