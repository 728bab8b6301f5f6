import Directory
import Reconcile

/// One configured source as the pipeline reaches it, whatever its kind: a change stream from
/// a position, a consistent snapshot for the first load and for reconciliation, and a check
/// of its schema against the mapping. Each kind's module provides one; the daemon's registry
/// makes it from the configuration.
public protocol SourceConnector: Sendable {
    /// The change stream from `position` (one the offset store holds, or one a snapshot gave).
    /// - Throws: ``SourceFailure`` for what retrying can fix (the source unreachable, the
    ///   position purged); any other error stops the pipeline.
    func openStream(from position: SourcePosition) async throws -> any ChangeSource

    /// ``openStream(from:)``, telling `connectionChanged` when the stream's connection to the
    /// source is lost and being opened again (with why) and when it is back (nil), for a
    /// source that holds one and reconnects by itself (the binlog's replication connection).
    /// By default the same as ``openStream(from:)``: the source never calls it.
    func openStream(
        from position: SourcePosition, connectionChanged: @escaping @Sendable (String?) -> Void
    ) async throws -> any ChangeSource

    /// A consistent snapshot of the source. Database clients block the calling thread: call
    /// it on a ``BlockingThread``, and use the snapshot on one thread at a time.
    func openSnapshot() async throws -> any SourceSnapshot

    /// Why the source's schema does not fit the mapping now (naming table, column and fix), or
    /// nil when it does.
    func mappingProblem() async throws -> String?

    /// Whether a stream that committed `committed` has read past what `snapshot` holds: a pass
    /// running beside the stream compares once it has, so that what differs is drift and not
    /// the stream's backlog.
    func hasReached(_ committed: SourcePosition, _ snapshot: SourcePosition) -> Bool

    /// How far a pipeline that committed `committed` is behind the source now (`scimsync
    /// status`); `sourceTime` is when the source committed what the target has, if known; nil
    /// for a kind that has no position to compare with. Blocking, with a short connect timeout.
    func lag(committed: SourcePosition, sourceTime: Int64?) -> SourceLag?

    /// What `scimsync check` finds: whether the source answers, its tables against the
    /// mapping, and what streaming needs (row-based binlog and the right to read it, change
    /// tracking on ...), each a line naming what to change. Database clients block the calling
    /// thread (with short timeouts): call it from a command, or on a ``BlockingThread``.
    func probe() async -> [ConnectorCheck]
}

/// How far behind the source a committed position is.
public enum SourceLag: Sendable, Hashable {
    case caughtUp
    /// Behind: the source's position now, and seconds since the source committed the last
    /// transaction the target has.
    case behind(sourcePosition: String, seconds: Int64?)
    /// The source could not be asked, or cannot tell; the reason.
    case unknown(String)
}

/// One finding of `scimsync check` about a source or a target.
public struct ConnectorCheck: Sendable, Hashable {
    public enum Status: Sendable, Hashable {
        case passed
        /// Works, but not as recommended.
        case warning
        case failed
    }

    public var status: Status
    /// What was found; on failure, why and what to change (with the configuration key).
    public var detail: String

    public init(_ status: Status, _ detail: String) {
        self.status = status
        self.detail = detail
    }
}

/// A source as of one consistent point: what a first load creates, what a reconciliation pass
/// compares, and the position streaming resumes from once the target holds it.
public protocol SourceSnapshot: AnyObject {
    /// The types of the source's id columns (they decide the order a pass reads both sides in).
    var idTypes: SourceIDTypes { get }

    /// The snapshot as a reconciliation pass reads it.
    var reader: any ReconcileSourceReader { get }

    /// A first load's operations into an empty target, phase by phase in an order the target
    /// accepts (groups, their parents, users, memberships), or nil when the kind loads through
    /// a reconciliation pass.
    func loadPhases(chunkSize: Int) throws -> [LoadPhase]?

    /// Where streaming resumes once the target holds what the snapshot holds.
    var position: SourcePosition { get }

    /// Ends the snapshot (its transaction, its connection).
    func finish() throws
}

/// One phase of a first load: chunks of operations, read in key order.
public struct LoadPhase {
    /// What it loads, for logs: `groups`, `parents`, `users`, `memberships`.
    public var name: String
    /// Whether its operations create resources (they join the ledger before their batch
    /// commits) and must be put in apply order (``Directory/ResourceOp/ordered(_:)``).
    public var creates: Bool
    /// Starts reading the phase at its first chunk: each call returns a reader of its own,
    /// which gives the next chunk, nil at the phase's end. A target that gives up a faster way
    /// of loading a phase part-way (rolled back whole) reads it again from the start.
    /// Called, and its readers used, by one thread at a time.
    public var read: () -> () throws -> [ResourceOp]?
    /// For a phase of creates whose every row is one resource of the source's map: its rows
    /// as the source's table gives them, which a target that maps rows itself
    /// (``Directory/RowTranscoder``) reads instead of `read`.
    public var rows: LoadRows?

    public init(name: String, creates: Bool, read: @escaping () -> () throws -> [ResourceOp]?) {
        self.name = name
        self.creates = creates
        self.read = read
    }

    /// A phase of creates read as rows (``rows``); `read` gives each row's create.
    public init(name: String, rows: LoadRows) {
        self.name = name
        self.creates = true
        self.rows = rows
        self.read = {
            let next = rows.read()
            return { try next().map(rows.mapper.creates) }
        }
    }

    /// Every chunk of the phase, read from the start in one go: for tests and small phases.
    public func allChunks() throws -> [[ResourceOp]] {
        let next = read()
        var chunks: [[ResourceOp]] = []
        while let chunk = try next() { chunks.append(chunk) }
        return chunks
    }
}

/// A phase's source rows, each one resource: `mapper.resource(from: row)`, created.
public struct LoadRows {
    /// The source table's map.
    public var mapper: RowMapper
    /// Starts reading at the first chunk, as ``LoadPhase/read`` does: each call returns a
    /// reader of its own, which gives the next chunk of rows, nil at the end.
    public var read: () -> () throws -> [Row]?

    public init(mapper: RowMapper, read: @escaping () -> () throws -> [Row]?) {
        self.mapper = mapper
        self.read = read
    }
}

extension LoadPhase {
    /// Rows read by one source SELECT and applied in one target transaction. Each commit costs
    /// the target a binlog write (and a sync where it syncs); the statements inside stay at
    /// most `SQLDialect.maxRowsPerStatement` rows. At most four chunks are in memory at a
    /// time (one read ahead, one waiting for and one applied by each connection): a few MiB
    /// each (peak RSS 83 MiB in bench/initial-load).
    public static let chunkSize = 5000
}

extension SourceConnector {
    public func openStream(
        from position: SourcePosition, connectionChanged: @escaping @Sendable (String?) -> Void
    ) async throws -> any ChangeSource {
        try await openStream(from: position)
    }
}
