import Connectors
import Directory
import Logging
import SQLClients
import SQLServerClient

/// SQL Server change tracking as a pipeline ``Connectors/ChangeSource``: every `poll` interval
/// one ``ChangeTrackingPoll`` over the layout's tables, each poll with changes one batch
/// positioned at the version it read up to. A poll whose version moved without mapped changes
/// (an unmapped column, an echo) is an empty batch, so the stored version keeps up.
///
/// A poll that fails is never a silent stop: a lost or refused connection is
/// ``Connectors/SourceFailure/unavailable(_:)`` (the pipeline reports it and opens the stream
/// again from the committed version after its backoff); a version older than a table's
/// minimum valid version is ``Connectors/SourceFailure/positionLost(_:)`` (the pipeline
/// reconciles from a new snapshot); tracking switched off or a mapped column gone pauses the
/// pipeline with the fix (`mappingBroken`).
public final class ChangeTrackingSource: ChangeSource {
    /// What the source needs besides its connection.
    public struct Options: Sendable {
        public var layout: DirectoryLayout
        public var onDelete: DeletePolicy
        /// The schema of the layout's tables not spelt `schema.table`.
        public var schema: String
        /// Changes written with this `SYS_CHANGE_CONTEXT` are skipped: another pipeline wrote
        /// them from this pipeline's target (``Config/EchoContext``).
        public var echo: [UInt8]?
        /// How long to wait after a poll that found nothing.
        public var poll: Duration
        /// Why the source no longer fits the mapping now (nil when it does).
        public var mappingProblem: @Sendable () async throws -> String?
        /// The tables' minimum valid versions as the connector's streams last read them.
        var minimums: TrackedMinimums
        /// Told why when a poll has waited for the server longer than `slowPoll`, and nil
        /// once it answers: `/readyz` and `status` then say so while the poll waits for its
        /// query timeout (60 s), instead of "streaming".
        var connectionChanged: (@Sendable (String?) -> Void)?
        var slowPoll: Duration = .seconds(10)

        public init(
            layout: DirectoryLayout, onDelete: DeletePolicy, schema: String, echo: [UInt8]?, poll: Duration,
            mappingProblem: @escaping @Sendable () async throws -> String? = { nil }
        ) {
            self.init(
                layout: layout, onDelete: onDelete, schema: schema, echo: echo, poll: poll, mappingProblem: mappingProblem,
                minimums: TrackedMinimums())
        }

        init(
            layout: DirectoryLayout, onDelete: DeletePolicy, schema: String, echo: [UInt8]?, poll: Duration,
            mappingProblem: @escaping @Sendable () async throws -> String?, minimums: TrackedMinimums,
            connectionChanged: (@Sendable (String?) -> Void)? = nil
        ) {
            self.minimums = minimums
            self.connectionChanged = connectionChanged
            self.layout = layout
            self.onDelete = onDelete
            self.schema = schema
            self.echo = echo
            self.poll = poll
            self.mappingProblem = mappingProblem
        }
    }

    private let connection: QueueConfined<SQLServerConnection>
    private let options: Options
    private let poll: ChangeTrackingPoll
    private let mapper: ChangeMapper
    private let logger: Logger
    private var last: Int64
    private var pending: SourceEvent?
    /// Whether the last poll found something: then the next one runs at once.
    private var busy = true
    private var stopped = false

    /// - Parameters:
    ///   - open: connects to the source (again after a failed poll).
    ///   - version: the version the target holds everything up to.
    public init(
        open: @escaping @Sendable () throws -> SQLServerConnection, from version: Int64, options: Options, logger: Logger
    ) {
        connection = QueueConfined(label: "scimsync.sqlserver-change-tracking", open: open)
        self.options = options
        poll = ChangeTrackingPoll(tables: TrackedTable.all(in: options.layout, schema: options.schema))
        mapper = ChangeMapper(layout: options.layout, onDelete: options.onDelete)
        self.logger = logger
        last = version
    }

    /// Opens the connection.
    /// - Throws: ``Connectors/SourceFailure/unavailable(_:)`` when the server cannot be
    ///   reached or refuses the login, as a failed poll does.
    func connect() async throws {
        do {
            try await connection.run { _ in }
        } catch let error as SQLServerError {
            throw SourceFailure.unavailable("change-tracking stream: \(error)")
        }
    }

    public func next() async throws -> SourceEvent? {
        if let pending = takePending() { return pending }
        while !stopped {
            if !busy {
                do {
                    try await Task.sleep(for: options.poll)
                } catch {
                    return nil
                }
            }
            if let event = try await pollOnce() { return event }
        }
        return nil
    }

    public func nextBuffered() async throws -> SourceEvent? {
        takePending()
    }

    public func acknowledge(_ position: SourcePosition) async {}

    public func stop() async {
        stopped = true
    }

    private func takePending() -> SourceEvent? {
        defer { pending = nil }
        return pending
    }

    /// One poll; nil when nothing changed.
    private func pollOnce() async throws -> SourceEvent? {
        let (poll, last) = (self.poll, self.last)
        let previous = options.minimums.previous
        let outcome: ChangeTrackingPoll.Outcome
        let watch = SlowCallWatch(after: options.slowPoll, told: options.connectionChanged) { slow in
            "SQL Server has not answered the change-tracking poll for \(slow) (the poll waits up to 60 s)"
        }
        do {
            outcome = try await watch.run { [connection] in
                try await connection.run { try poll.run(on: $0, after: last, previous: previous) }
            }
        } catch let error as SQLServerError {
            busy = false
            if !error.meansSourceGone, let problem = try? await options.mappingProblem() {
                return .mappingBroken(reason: problem, position: .changeTracking(version: last))
            }
            logger.warning(
                "change-tracking poll failed; the pipeline retries", metadata: ["version": "\(last)", "error": "\(error)"])
            throw SourceFailure.unavailable("change-tracking poll: \(error)")
        }
        switch outcome {
        case .positionLost(let reason):
            // The load that follows reads a new snapshot: a new start for every table.
            options.minimums.reset()
            logger.warning("change-tracking version lost; reconciling from a snapshot", metadata: ["reason": "\(reason)"])
            throw SourceFailure.positionLost(reason)
        case .notTracked(let reason):
            busy = false
            return .mappingBroken(reason: reason, position: .changeTracking(version: last))
        case .changes(let version, let changes, let minimums):
            options.minimums.record(minimums)
            busy = !changes.isEmpty
            guard version > last || !changes.isEmpty else { return nil }
            self.last = version
            let position = SourcePosition.changeTracking(version: version)
            let translation = TrackedChangeTranslation(changes, mapper: mapper, echo: options.echo)
            if translation.echoes > 0 {
                logger.debug("skipped changes written by the pipeline that feeds this source", metadata: [
                    "count": "\(translation.echoes)", "version": "\(version)",
                ])
            }
            if let reason = translation.resyncReason {
                pending = .resyncNeeded(reason: reason, position: position)
            }
            return .batch(
                SourceBatch(
                    ops: translation.ops, position: position, rowCount: changes.count, unmapped: translation.unmapped))
        }
    }
}

extension SQLServerError {
    /// A lost, refused or timed-out connection: the source restarting or unreachable, which a
    /// later attempt survives.
    public var meansSourceGone: Bool {
        if connectionBroken { return true }
        switch kind {
        case .cannotConnect, .lostConnection, .timeout: return true
        case .loginFailed, .unknownDatabase, .permissionDenied, .invalidObject, .invalidColumn, .duplicateKey,
            .cancelled, .unsupportedValue, .other:
            return false
        }
    }
}
