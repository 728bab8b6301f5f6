import Config
import Directory
import Foundation
import Logging
import MySQLBinlog
import MySQLSource
import OffsetStore
import SQLClients

/// One pipeline at work: the first load from a consistent snapshot when the offset store has
/// no position, then streaming from the binlog. Each source transaction becomes the ordered,
/// coalesced operations of one target transaction; its position is committed to the offset
/// store only after the target committed (at-least-once delivery plus idempotent apply:
/// exactly-once effect). A target that fails is retried with capped backoff without advancing
/// the offset. Cancelling the task stops reading after the batch in flight is committed.
public final class Pipeline: Sendable {
    public let configuration: PipelineConfig
    let store: OffsetStore
    let target: QueueConfined<any ReplicationTarget>
    private let retry: ReconnectPolicy
    let logger: Logger
    let states: PipelineStates
    let metrics: PipelineMetrics
    private let groupCommit: GroupCommit
    /// What the stream changes while a reconciliation runs alongside it.
    let dirty = StreamDirtySet()
    /// Closed while a refused reconciliation waits for approval.
    let gate = PauseGate()

    /// - Parameters:
    ///   - states: where the pipeline reports what it is doing (for `/readyz`).
    ///   - metrics: where it counts what it does (for `/metrics`).
    ///   - openTarget: connects to the target; called on the target's own queue, and again
    ///     after a batch failed (the connection may be gone).
    public init(
        configuration: PipelineConfig, store: OffsetStore, retry: ReconnectPolicy = ReconnectPolicy(),
        groupCommit: GroupCommit = GroupCommit(), states: PipelineStates? = nil, metrics: DaemonMetrics = DaemonMetrics(),
        logger: Logger = Logger(label: "scimsync.pipeline"),
        openTarget: @escaping @Sendable () throws -> any ReplicationTarget
    ) {
        self.configuration = configuration
        self.store = store
        self.retry = retry
        self.groupCommit = groupCommit
        self.states = states ?? PipelineStates(pipelines: [configuration.name])
        self.metrics = metrics.pipeline(configuration.name)
        var logger = logger
        logger[metadataKey: "pipeline"] = "\(configuration.name)"
        self.logger = logger
        target = QueueConfined(label: "scimsync.target.\(configuration.name)", open: openTarget)
    }

    /// Runs until cancelled (returns normally) or until an error retrying cannot fix (throws:
    /// a lost binlog position, an undecodable event, a source that refuses the login).
    public func run() async throws {
        if case .scim(let source) = configuration.source {
            try await pull(source)
            return
        }
        guard case .mysql(let source)? = configuration.source.sql?.connection else {
            throw PipelineError.unsupportedSource(configuration.source.kind)
        }
        let name = configuration.name
        let runID = try store.startRun(pipeline: name)
        var counts: [String: Int] = [:]
        // Periodic reconciliation runs beside the stream, from the stream's first position on.
        let periodic = Task { [self] in
            while try store.position(pipeline: name) == nil { try await Task.sleep(for: .seconds(1)) }
            await reconcilePeriodically(source: source)
        }
        defer { periodic.cancel() }
        do {
            var start = try await startPosition(source: source, counts: &counts)
            states.set(name, .streaming)
            var attempt = 0
            while true {
                do {
                    try await stream(source: source, from: start, counts: &counts)
                    break
                } catch let error as ReplicationError where error.kind == .positionUnavailable {
                    // The binlog at the stored position is gone (purged): what happened since
                    // can only be recovered by comparing source and target.
                    logger.warning(
                        "the stored position is gone from the source's binlog; reconciling from a new snapshot",
                        metadata: ["error": "\(error)"])
                    start = try await loadFromSnapshot(source: source, counts: &counts)
                    states.set(name, .streaming)
                } catch let error as MariaDBError where error.meansSourceGone {
                    // The binlog reader reconnects by itself, but a catalog lookup (the columns
                    // of a TABLE_MAP's table) does not retry: its connection lost to a source
                    // restart ends the stream, which starts again from the committed position.
                    let resumed = try storedStart()
                    attempt = resumed == start ? attempt + 1 : 1
                    start = resumed ?? start
                    let delay = retry.delay(beforeAttempt: attempt, unitRandom: Double.random(in: 0..<1))
                    logger.warning(
                        "source connection lost; streaming again",
                        metadata: ["error": "\(error)", "attempt": "\(attempt)", "delay": "\(delay)"])
                    states.set(name, .retrying)
                    try await Task.sleep(for: delay)
                    states.set(name, .streaming)
                }
            }
            try store.finishRun(runID, ops: counts, error: nil)
        } catch is CancellationError {
            try store.finishRun(runID, ops: counts, error: nil)
        } catch {
            states.set(name, .failed)
            metrics.errors.increment()
            try? store.finishRun(runID, ops: counts, error: "\(error)")
            throw error
        }
    }

    /// Where the stored position resumes the stream, if there is one.
    private func storedStart() throws -> BinlogStart? {
        if case .binlog(let file, let offset, _)? = try store.position(pipeline: configuration.name) {
            return .filePosition(file: file, position: offset)
        }
        return nil
    }

    /// The stored position, or the first load's snapshot position once the load committed.
    private func startPosition(source: MySQLConnectionConfig, counts: inout [String: Int]) async throws -> BinlogStart {
        if case .binlog(let file, let offset, _)? = try store.position(pipeline: configuration.name) {
            logger.info("resuming", metadata: ["position": "\(file):\(offset)"])
            return .filePosition(file: file, position: offset)
        }
        logger.info("first load from a consistent snapshot")
        return try await loadFromSnapshot(source: source, counts: &counts)
    }

    private func stream(source: MySQLConnectionConfig, from start: BinlogStart, counts: inout [String: Int]) async throws {
        let name = configuration.name
        let layout = configuration.sourceLayout
        let reader = BinlogChangeReader(
            configuration: .init(
                host: source.host, port: source.port, user: source.user, password: source.password,
                serverID: source.serverId ?? Self.defaultServerID(name),
                filter: TableFilter(tables: BinlogTail.tables(of: layout, database: source.database))),
            start: start,
            catalog: SourceCatalog {
                try MariaDBConnection(
                    host: source.host, port: source.port, user: source.user, password: source.password,
                    database: source.database)
            },
            history: try store.schemaHistory(pipeline: name), logger: logger)
        let mapper = ChangeMapper(layout: layout, onDelete: configuration.onDelete)
        do {
            try await stream(reader, mapper: mapper, counts: &counts)
        } catch {
            await reader.stop()
            throw error
        }
        await reader.stop()
    }

    private func stream(_ reader: BinlogChangeReader, mapper: ChangeMapper, counts: inout [String: Int]) async throws {
        let name = configuration.name
        var savedHistory = reader.history
        var ended = false
        while !ended, let first = try await reader.next() {
            // Group commit: the transactions already received join this target transaction,
            // within a size and a latency budget; none is waited for.
            var outputs = [first]
            var changeCount = first.changeCount
            let started = ContinuousClock.now
            while changeCount < groupCommit.maxChanges, ContinuousClock.now - started < groupCommit.maxDelay,
                await reader.hasBufferedEvents()
            {
                guard let more = try await reader.next() else {
                    ended = true
                    break
                }
                outputs.append(more)
                changeCount += more.changeCount
            }
            // The schema history is saved before the position that relies on it.
            if reader.history != savedHistory {
                try store.save(reader.history, pipeline: name)
                savedHistory = reader.history
            }
            var changes: [RowChange] = []
            for case .transaction(let transaction) in outputs { changes += transaction.changeBatch.changes }
            guard let last = outputs.last else { continue }
            let position = last.position
            metrics.sourceChanges.increment(by: Int64(changes.count))
            let batch = ChangeBatch(
                changes: changes, position: .binlog(file: position.file, offset: position.offset, gtid: last.gtid),
                commitTime: Int64(last.commitTimestamp))
            let ops = try mapper.ops(for: batch)
            try await gate.pass()
            if !ops.isEmpty {
                let dirty = self.dirty
                try await applyRetrying { target in
                    try target.apply(ops)
                    dirty.mark(ops, at: position)
                }
            }
            try store.commit(
                position: batch.position, pipeline: name, sourceTime: changes.isEmpty ? nil : batch.commitTime,
                created: ops.compactMap(\.createdEntry), removed: ops.compactMap(\.deletedEntry))
            for op in ops {
                counts[op.kindName, default: 0] += 1
                metrics.applied(op.kindName).increment()
            }
            if !changes.isEmpty {
                // Seconds resolution: the binlog's commit timestamps have no fraction.
                metrics.lag.set(max(0, Date().timeIntervalSince1970 - Double(batch.commitTime)))
            }
            await reader.acknowledge(position)
        }
    }

    /// Runs `body` on the target's queue until it succeeds, waiting with capped backoff between
    /// attempts; cancellation while waiting ends it (the offset was not advanced).
    func applyRetrying<T: Sendable>(_ body: @escaping @Sendable (any ReplicationTarget) throws -> T) async throws -> T {
        var attempt = 0
        while true {
            do {
                let result = try await target.run(body)
                if attempt > 0 { states.set(configuration.name, .streaming) }
                return result
            } catch {
                attempt += 1
                metrics.retries.increment()
                states.set(configuration.name, .retrying)
                let delay = retry.delay(beforeAttempt: attempt, unitRandom: Double.random(in: 0..<1))
                logger.warning(
                    "target failed; retrying",
                    metadata: ["error": "\(error)", "attempt": "\(attempt)", "delay": "\(delay)"])
                try await Task.sleep(for: delay)
            }
        }
    }

    /// A stable replica id per pipeline name when the config gives none: FNV-1a into
    /// 1,000,000 ... 2^31, away from the small ids people give servers.
    static func defaultServerID(_ name: String) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in name.utf8 {
            hash = (hash ^ UInt32(byte)) &* 16_777_619
        }
        return 1_000_000 + hash % (0x8000_0000 - 1_000_000)
    }
}

/// How many source transactions one target transaction may take: those already received,
/// up to `maxChanges` row changes, gathered for at most `maxDelay`.
public struct GroupCommit: Sendable, Hashable {
    public var maxChanges: Int
    public var maxDelay: Duration

    public init(maxChanges: Int = 5000, maxDelay: Duration = .milliseconds(20)) {
        self.maxChanges = maxChanges
        self.maxDelay = maxDelay
    }
}

extension BinlogChangeReader.Output {
    var changeCount: Int {
        switch self {
        case .transaction(let transaction): transaction.changes.count
        case .schemaChange: 0
        }
    }

    var position: BinlogPosition {
        switch self {
        case .transaction(let transaction): transaction.position
        case .schemaChange(let change): change.position
        }
    }

    var gtid: String? {
        switch self {
        case .transaction(let transaction): transaction.gtid
        case .schemaChange(let change): change.gtid
        }
    }

    var commitTimestamp: UInt32 {
        switch self {
        case .transaction(let transaction): transaction.commitTimestamp
        case .schemaChange(let change): change.timestamp
        }
    }
}

extension MariaDBError {
    /// A lost or refused connection: the source restarting, which a later attempt survives.
    var meansSourceGone: Bool {
        switch kind {
        case .lostConnection, .cannotConnect: true
        case .accessDenied, .permissionDenied, .unknownDatabase, .noSuchTable, .unknownColumn, .wrongParameterCount,
            .other:
            false
        }
    }
}

/// Why a pipeline cannot run.
public enum PipelineError: Error, Sendable, Hashable, CustomStringConvertible {
    case unsupportedSource(String)

    public var description: String {
        switch self {
        case .unsupportedSource(let kind): "\(kind) sources cannot be streamed by this version"
        }
    }
}

extension ResourceOp {
    /// The ledger entry of a resource this operation creates.
    var createdEntry: LedgerEntry? {
        if case .create(let kind, let resource) = self, let id = resource.id { return LedgerEntry(kind: kind, id: id) }
        return nil
    }

    /// The ledger entry of a resource this operation deletes.
    var deletedEntry: LedgerEntry? {
        if case .delete(let kind, let id) = self { return LedgerEntry(kind: kind, id: id) }
        return nil
    }

    /// The name counted in the run log and metrics.
    var kindName: String {
        switch self {
        case .create: "create"
        case .patch: "patch"
        case .delete: "delete"
        case .deactivate: "deactivate"
        case .reactivate: "reactivate"
        case .addMember: "addMember"
        case .removeMember: "removeMember"
        case .moveParent: "moveParent"
        }
    }
}
