import Config
import Directory
import Logging
import MySQLBinlog
import SQLClients
import Synchronization

/// `scimsync tail`: prints every decoded row change of a MySQL/MariaDB source as one JSON
/// line (``MySQLBinlog/RowChangeJSON``), as the replicator sees it.
public enum BinlogTail {
    /// The tables a layout reads, as `database.table`.
    public static func tables(of layout: DirectoryLayout, database: String) -> Set<String> {
        MySQLConnector.tables(of: layout, database: database)
    }

    /// Reads from `range.start` until `range.end` (or until interrupted) and hands the lines,
    /// UTF-8 and each ending in a newline, to `write`: whole lines, about ``outputChunkSize``
    /// bytes at a time while the binlog has more to read, and everything printed so far
    /// whenever tail has caught up with it, so a follower sees each transaction as it
    /// commits. A transaction larger than `maxChangesPerPart` row changes comes a part at a
    /// time, its rows printed as they are read (their position is the boundary before the
    /// transaction until the last part's, which is after its commit). An error `write`
    /// throws (the reader of the output went away) stops reading and is rethrown. The
    /// source's binlog settings are checked while reading starts: when they are not right,
    /// ``TailError/sourceNotReady(_:)`` comes before any line, and instead of the stream's own error.
    /// - Parameters:
    ///   - serverID: the replica id to announce; it must differ from the pipeline's own (a
    ///     server drops an older replica connection with the same id).
    ///   - writeAhead: when the reading task writes lines itself (the same bytes either way).
    public static func run(
        source: MySQLConnectionConfig, serverID: UInt32, range: TailRange, tables: Set<String>,
        maxChangesPerPart: Int = TransactionAssembler.defaultMaxChangesPerPart, writeAhead: TailWriteAhead = .whenPrintingIsBehind,
        logger: Logger = Logger(label: "scimsync.tail"), write: (UnsafeRawBufferPointer) throws -> Void
    ) async throws {
        let catalog = SourceCatalog {
            try MariaDBConnection(
                host: source.host, port: source.port, user: source.user, password: source.password,
                database: source.database,
                readTimeout: Int(MySQLConnector.Settings.defaultReadTimeout.components.seconds))
        }
        // A binlog that is off, not ROW or not FULL, or a user who may not read it: said before
        // any line is printed, and rather than the stream's own error, which would confuse. The
        // replication connection opens meanwhile: reading starts no later for the check.
        let settings = Task { try await catalog.withConnection { try $0.binlogSettings().problems } }
        @Sendable func checkSettings() async throws {
            let problems = try await settings.value
            guard problems.isEmpty else { throw TailError.sourceNotReady(problems) }
        }
        do {
            try await read(
                catalog: catalog, source: source, serverID: serverID, range: range, tables: tables,
                maxChangesPerPart: maxChangesPerPart, writeAhead: writeAhead, logger: logger,
                beforeFirstLine: checkSettings, write: write)
        } catch {
            try await checkSettings()
            throw error
        }
        // Also when nothing was printed.
        try await checkSettings()
    }

    /// ``run(source:serverID:range:tables:maxChangesPerPart:writeAhead:logger:write:)`` once the
    /// settings are being checked; `beforeFirstLine` is awaited before anything is printed.
    private static func read(
        catalog: SourceCatalog, source: MySQLConnectionConfig, serverID: UInt32, range: TailRange, tables: Set<String>,
        maxChangesPerPart: Int, writeAhead: TailWriteAhead, logger: Logger,
        beforeFirstLine: @escaping @Sendable () async throws -> Void, write: (UnsafeRawBufferPointer) throws -> Void
    ) async throws {
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

        let configuration = BinlogChangeReader.Configuration(
            host: source.host, port: source.port, user: source.user, password: source.password, serverID: serverID,
            filter: TableFilter(tables: range.tables ?? tables), stopAtEnd: end != nil,
            maxChangesPerPart: maxChangesPerPart, handsOnRowsAsRead: true, keepsRowsUndecoded: true)
        // Two stages on two cores: one task reads, decodes and assembles (the replication
        // thread beside it only receives), the other writes the lines, helped by the first
        // while it has runs enough to write. A run of outputs crosses from one to the other at
        // a time, and at most `runsInFlight` runs wait, so memory stays bounded however far the
        // writing falls behind.
        let runs = AsyncBoundedQueue<OutputRun>(capacity: runsInFlight)
        let backlog = PrintingBacklog()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                let reader = BinlogChangeReader(configuration: configuration, start: start, catalog: catalog, logger: logger)
                do {
                    try await readRuns(from: reader, until: end, into: runs, backlog: backlog, writeAhead: writeAhead)
                    await runs.finish()
                } catch {
                    await runs.finish(throwing: error)
                }
                await reader.stop()
            }
            do {
                try await printLines(
                    from: runs, backlog: backlog, logger: logger, beforeFirstLine: beforeFirstLine, write: write)
            } catch {
                // The reader may be waiting for the server: it stops, and is waited for.
                await runs.cancel()
                group.cancelAll()
                throw error
            }
            try await group.waitForAll()
        }
    }
}

/// How many runs handed to the printing task still wait for their lines to be written: the
/// reading task writes a run's lines itself when the printing task has enough such work
/// ahead of it, and sends the run as it is otherwise.
private final class PrintingBacklog: Sendable {
    private let unwritten = Atomic<Int>(0)

    /// Runs sent without their lines and not yet taken by the printing task.
    var unwrittenRuns: Int { unwritten.load(ordering: .relaxed) }

    func sent(_ run: OutputRun) {
        if run.ahead == nil { unwritten.add(1, ordering: .relaxed) }
    }

    func taken(_ run: OutputRun) {
        if run.ahead == nil { unwritten.subtract(1, ordering: .relaxed) }
    }
}

/// Outputs of the reader handed from the reading task to the writing one. Their rows are
/// rows events not decoded, each with the TABLE_MAP it was written with.
private struct OutputRun: Sendable {
    var items: [BinlogChangeReader.Output] = []
    /// Whether the reader had caught up with the binlog after these: what was written is
    /// printed now, not when more comes.
    var caughtUp = false
    /// The starts of the items' lines when the reading task wrote them (``writeAhead(_:)``),
    /// with the range of lines of each item.
    var ahead: (starts: LineStarts, lines: [Range<Int>])?

    /// Writes the starts of every line of the run, as the printing task would. On a rows
    /// event that cannot be written, nothing is kept: the printing task meets the same error
    /// where it belongs in the output, and reports it there.
    mutating func writeAhead(_ writer: inout RowChangeJSONWriter) {
        var bytes = ByteOutput(capacity: BinlogTail.changesPerRun * 640)
        var ends: [Int] = []
        ends.reserveCapacity(BinlogTail.changesPerRun + 64)
        var lines: [Range<Int>] = []
        lines.reserveCapacity(items.count)
        for item in items {
            let first = ends.count
            if case .transaction(let transaction) = item {
                do {
                    for rows in transaction.undecoded { try writer.appendStarts(of: rows, to: &bytes, ends: &ends) }
                } catch {
                    return
                }
            }
            lines.append(first..<ends.count)
        }
        ahead = (LineStarts(bytes: bytes, ends: ends), lines)
    }
}

extension BinlogTail {
    /// About how many bytes of lines are handed to `write` at once while there is more to
    /// read: large writes, few system calls, and a bounded buffer however large the
    /// transaction.
    public static let outputChunkSize = 128 * 1024

    /// Row changes in one run handed to the writing task (a run also ends when the reader
    /// has caught up with the binlog), and how many runs may wait: each holds its rows
    /// events, or their lines once written (about 125 KiB for 250 lines of 500 bytes), so
    /// a few MiB in all. Room for many lets the reading task go on writing lines while the
    /// printing task writes out a held part of a large transaction (5 MB at 10,000 rows).
    static let changesPerRun = 250
    static let runsInFlight = 32

    /// The reading task writes a run's lines itself once this many runs wait for the
    /// printing task to write theirs: with fewer, the printing task would soon have nothing
    /// to do while the reading task wrote. Of 1, 2 and 3, 2 was the fastest on one huge
    /// transaction of 200,000 rows (bench/binlog-decode's tail shape, paired runs).
    static let unwrittenRunsBeforeWritingAhead = 2

    /// Reads outputs from `reader` until `end`, and sends them on in runs.
    private static func readRuns(
        from reader: BinlogChangeReader, until end: BinlogPosition?, into runs: AsyncBoundedQueue<OutputRun>,
        backlog: PrintingBacklog, writeAhead: TailWriteAhead
    ) async throws {
        var run = OutputRun()
        var changes = 0
        // Whether runs were sent since the reader last caught up (their lines may wait in the
        // writer's buffer): then the reader does not wait for the server before saying so.
        var sentSinceCaughtUp = false
        // Writing the lines is most of tail's work: while the printing task has runs enough
        // to write, this task writes the next run's lines itself, and the printing task only
        // copies them out.
        var writer = RowChangeJSONWriter()
        func send(caughtUp: Bool) async -> Bool {
            run.caughtUp = caughtUp
            switch writeAhead {
            case .whenPrintingIsBehind:
                if backlog.unwrittenRuns >= unwrittenRunsBeforeWritingAhead { run.writeAhead(&writer) }
            case .always: run.writeAhead(&writer)
            case .never: break
            }
            backlog.sent(run)
            let sent = await runs.send(run)
            run = OutputRun()
            changes = 0
            sentSinceCaughtUp = !caughtUp
            return sent
        }
        while true {
            try Task.checkCancellation()
            let next: BinlogChangeReader.Output?
            if run.items.isEmpty, !sentSinceCaughtUp {
                next = try await reader.next()
            } else if let buffered = try await reader.nextBuffered() {
                next = buffered
            } else {
                // Caught up with the binlog (what is buffered makes no line: a heartbeat, the
                // start of a transaction).
                guard await send(caughtUp: true) else { return }
                continue
            }
            guard let output = next else { break }
            var ended: BinlogPosition?
            switch output {
            case .transaction(let transaction):
                changes += transaction.changeCount
                // A part before the last ends nothing: nothing to acknowledge or stop at.
                if transaction.isLastPart { ended = transaction.position }
            case .schemaChange(let change):
                ended = change.position
            }
            run.items.append(output)
            if let ended {
                // Acknowledged once read, not once printed: a reconnection only resumes the
                // reading, and what was read is printed either way.
                await reader.acknowledge(ended)
                if let end, !(ended < end) { break }
            }
            if changes >= changesPerRun {
                guard await send(caughtUp: false) else { return }
            }
        }
        if !run.items.isEmpty || sentSinceCaughtUp { _ = await send(caughtUp: true) }
    }

    /// The lines of every output of the runs, until they end.
    ///
    /// Rows come as they are read (``BinlogChangeReader/Configuration/handsOnRowsAsRead``), as
    /// rows events not decoded, and each is written at once from the event's bytes, up to the
    /// end its line shares with its part (position, GTID, commit time): those starts of lines
    /// are held, far smaller than the decoded rows, until the part ends and says how its lines end.
    private static func printLines(
        from runs: AsyncBoundedQueue<OutputRun>, backlog: PrintingBacklog, logger: Logger,
        beforeFirstLine: () async throws -> Void, write: (UnsafeRawBufferPointer) throws -> Void
    ) async throws {
        var writer = RowChangeJSONWriter()
        var out = ByteOutput(capacity: outputChunkSize + 64 * 1024)
        func flush() throws {
            guard !out.isEmpty else { return }
            try out.withBytes(write)
            out.removeAll()
        }
        var lines = HeldLines()
        // Whether lines of the open transaction were printed (a part before its last).
        var printedPartOfOpenTransaction = false
        var checked = false
        while let run = try await runs.receive() {
            if !checked {
                try await beforeFirstLine()
                checked = true
            }
            backlog.taken(run)
            for (index, item) in run.items.enumerated() {
                guard case .transaction(let transaction) = item else { continue }
                if let ahead = run.ahead {
                    lines.hold(ahead.starts, lines: ahead.lines[index])
                } else {
                    for rows in transaction.undecoded {
                        do {
                            try lines.hold(rows, writer: &writer)
                        } catch {
                            // As the reader reports a rows event it cannot decode.
                            throw TransactionAssemblyError.decoding(error)
                        }
                    }
                }
                if transaction.isDropped {
                    // Rows held did not commit (or come again after a reconnection): never printed.
                    lines.removeAll()
                    if transaction.isLastPart, printedPartOfOpenTransaction {
                        // After the lines it is about.
                        try flush()
                        logger.warning(
                            "a transaction ended without committing after rows of it were printed; they did not commit",
                            metadata: ["gtid": "\(transaction.gtid ?? "none")", "position": "\(transaction.position)"])
                    }
                } else if transaction.endsPart {
                    if !lines.isEmpty {
                        writer.transactionStarted(
                            position: transaction.position, gtid: transaction.gtid,
                            commitTimestamp: transaction.commitTimestamp)
                        try lines.print(ending: writer, to: &out, chunkSize: outputChunkSize, write: write)
                    }
                    printedPartOfOpenTransaction = !transaction.isLastPart
                }
                if transaction.isLastPart { printedPartOfOpenTransaction = false }
            }
            if run.caughtUp { try flush() }
        }
        try flush()
    }
}

/// Which of `scimsync tail`'s two tasks writes the lines: the printing task, which also
/// writes them out, unless it has runs enough to write, when the reading task writes the next
/// ones instead of handing it more. The output is the same bytes either way; the other two cases are for the tests that
/// show it.
public enum TailWriteAhead: Sendable {
    case whenPrintingIsBehind
    case always
    case never
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
