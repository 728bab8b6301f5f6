import Connectors
import Directory
import Logging
import Reconcile
import SCIM
import SCIMClient
import Synchronization

/// A SCIM service provider as a pipeline's source: a full read is a consistent-enough snapshot
/// (every user and group, page by page), loaded and compared like any snapshot; in between,
/// when the provider answers `meta.lastModified gt` filters, incremental polls every `poll`
/// become batches. The position is the newest `meta.lastModified` seen (a token). Every
/// `interval` the stream asks for a resync: the full pull, which also finds deletions and
/// dropped members that polls cannot see.
public struct SCIMPullConnector: SourceConnector {
    /// Where the provider is and how often to read it.
    public struct Settings: Sendable {
        public var url: String
        public var token: String
        public var pageSize: Int
        /// Between full pulls.
        public var interval: Duration
        /// Between incremental polls; nil for full pulls only.
        public var poll: Duration?
        /// Where the provider's settings are in the configuration, for messages
        /// (`pipelines[0].source.scim`).
        public var keyPath: String

        public init(
            url: String, token: String, pageSize: Int, interval: Duration, poll: Duration?, keyPath: String = "source.scim"
        ) {
            self.keyPath = keyPath
            self.url = url
            self.token = token
            self.pageSize = pageSize
            self.interval = interval
            self.poll = poll
        }
    }

    public let settings: Settings
    private var keyPath: String { settings.keyPath }
    private let client: SCIMClient
    private let logger: Logger
    /// Whether this process has read the provider in full yet: a stream opened before that
    /// (a restart with a stored watermark) starts with a full pull, which finds what was
    /// deleted while scimsync was down.
    private let pulledInFull = ProcessFlag()
    /// Set once the provider refused a poll that its probe accepted: this process then pulls
    /// in full only, rather than a full pull every `poll` (each stream probes again).
    private let pollsRefused = ProcessFlag()

    public init(_ settings: Settings, logger: Logger) throws {
        self.settings = settings
        self.logger = logger
        client = try SCIMClient(baseURL: settings.url, token: settings.token, logger: logger)
    }

    public func openStream(from position: SourcePosition) async throws -> any ChangeSource {
        guard case .token(let lastModified) = position else { throw SCIMPullError.notAToken("\(position)") }
        // Whatever the provider answers, the stream is opened again after the pipeline's
        // backoff, as a full pull that fails is: an answer it cannot use now (too large, not
        // SCIM, a refused token) may be fixed at the provider, and a pipeline stopped for it
        // would stay stopped until the daemon restarts.
        let capabilities: SCIMCapabilities
        do {
            capabilities = try await SCIMCapabilities.probe(client)
        } catch let error as SCIMClientError {
            if case .invalidURL = error { throw error }
            throw SourceFailure.unavailable("\(error)")
        }
        logger.info(
            "SCIM source",
            metadata: [
                "filter": "\(capabilities.filter)", "incremental": "\(capabilities.incremental)",
                "paging": "\(capabilities.paging)", "url": "\(settings.url)",
            ])
        return SCIMPullSource(
            puller: SCIMPuller(client: client, pageSize: settings.pageSize, paging: capabilities.paging),
            watermark: SCIMWatermark(lastModified: lastModified.isEmpty ? nil : lastModified),
            interval: settings.interval,
            poll: capabilities.incremental && !pollsRefused.value.withLock({ $0 }) ? settings.poll : nil,
            fullPullNow: !pulledInFull.value.withLock { $0 }, pollsRefused: pollsRefused)
    }

    /// Reads the provider in full.
    public func openSnapshot() async throws -> any SourceSnapshot {
        let paging = SCIMCapabilities.paging(try await SCIMPullSource.translating { try await client.serviceProviderConfig() })
        let reader = try await SCIMSourceReader.read(client: client, pageSize: settings.pageSize, paging: paging)
        pulledInFull.value.withLock { $0 = true }
        return SCIMSnapshot(reader)
    }

    public func mappingProblem() async throws -> String? { nil }

    /// A provider cannot say where it is now: the watermark is all there is.
    public func lag(committed: SourcePosition, sourceTime: Int64?) -> SourceLag? { nil }

    /// The provider answers, accepts the token and supports what a pull needs.
    public func probe() async -> [ConnectorCheck] {
        [await SCIMProbe.check(url: settings.url, token: settings.token, keyPath: keyPath)]
    }

    /// RFC 3339 timestamps in one format compare as text.
    public func hasReached(_ committed: SourcePosition, _ snapshot: SourcePosition) -> Bool {
        guard case .token(let done) = committed, case .token(let wanted) = snapshot else { return false }
        return done >= wanted
    }
}

/// A fact this process learns once and keeps (that it read its provider in full, that the
/// provider refuses polls).
final class ProcessFlag: Sendable {
    let value = Mutex(false)
}

/// Why a SCIM source cannot be streamed.
public enum SCIMPullError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The offset store holds a position of another kind of source (the configuration changed).
    case notAToken(String)

    public var description: String {
        switch self {
        case .notAToken(let position):
            "the offset store's position \(position) is not a SCIM watermark: the source changed kind; "
                + "give this pipeline a new name or a new offsets.path to load it afresh"
        }
    }
}

/// A full read of the provider; its position is the newest `meta.lastModified` it saw.
final class SCIMSnapshot: SourceSnapshot {
    private let source: SCIMSourceReader

    init(_ source: SCIMSourceReader) {
        self.source = source
    }

    var idTypes: SourceIDTypes { .scim }
    var reader: any ReconcileSourceReader { source }
    /// A provider cannot be read in key order: a pass compares, sorting what it read.
    func loadPhases(chunkSize: Int) throws -> [LoadPhase]? { nil }
    var position: SourcePosition { .token(source.watermark.lastModified ?? "") }
    func finish() throws {}
}

/// The stream between full pulls: incremental polls, and a resync request when the next full
/// pull is due.
final class SCIMPullSource: ChangeSource {
    private let puller: SCIMPuller
    private var watermark: SCIMWatermark
    private var poll: Duration?
    private let nextFull: ContinuousClock.Instant
    private var nextPoll: ContinuousClock.Instant
    private var pending: [SourceBatch] = []
    private var stopped = false

    private let pollsRefused: ProcessFlag

    init(
        puller: SCIMPuller, watermark: SCIMWatermark, interval: Duration, poll: Duration?, fullPullNow: Bool,
        pollsRefused: ProcessFlag = ProcessFlag()
    ) {
        self.pollsRefused = pollsRefused
        self.puller = puller
        self.watermark = watermark
        self.poll = poll
        let now = ContinuousClock.now
        nextFull = fullPullNow ? now : now + interval
        nextPoll = now + (poll ?? interval)
    }

    func next() async throws -> SourceEvent? {
        while !stopped {
            if !pending.isEmpty { return .batch(pending.removeFirst()) }
            let due = poll == nil ? nextFull : min(nextPoll, nextFull)
            if due > ContinuousClock.now { try await Task.sleep(until: due, clock: .continuous) }
            if ContinuousClock.now >= nextFull {
                return .fullReadDue(reason: "the full pull is due", position: position)
            }
            nextPoll = ContinuousClock.now + (poll ?? .zero)
            do {
                pending = try await pollChanges()
            } catch PollOutcome.tooLarge {
                return .resyncNeeded(
                    reason: "a poll found more than \(Self.maximumPollResources) changed resources: a full pull reads them instead",
                    position: position)
            } catch let error as SCIMClientError where error.refusesPolling {
                // The filter the probe accepted is refused now: polling is not worth a stopped
                // pipeline, the full pulls go on (and the next stream probes again).
                poll = nil
                pollsRefused.value.withLock { $0 = true }
                return .resyncNeeded(
                    reason: "the provider refused an incremental poll (\(error)); this process polls no more, full pulls go on every interval",
                    position: position)
            }
        }
        return nil
    }

    /// The most resources one poll holds before its batches are handed on: a provider whose
    /// poll finds more (or never ends) is read by a full pull instead, which spools to disk.
    static let maximumPollResources = 10_000

    private enum PollOutcome: Error {
        case tooLarge
    }

    func nextBuffered() async throws -> SourceEvent? {
        pending.isEmpty ? nil : .batch(pending.removeFirst())
    }

    func acknowledge(_ position: SourcePosition) async {}

    func stop() async { stopped = true }

    private var position: SourcePosition { .token(watermark.lastModified ?? "") }

    /// One poll: each page one batch. Only the last carries the new watermark: pages do not
    /// come in `lastModified` order, so a watermark committed after an earlier page could skip
    /// a later page's resources on a restart; replaying the poll instead is harmless.
    private func pollChanges() async throws -> [SourceBatch] {
        let before = position
        var pages: [[ResourceOp]] = []
        var rows = 0
        watermark = try await Self.translating { [puller, watermark] in
            try await puller.changes(since: watermark) { kind, page in
                rows += page.count
                if rows > Self.maximumPollResources { throw PollOutcome.tooLarge }
                let ops = ResourceOp.ordered(PulledOps.ops(for: page, kind: kind))
                if !ops.isEmpty { pages.append(ops) }
            }
        }
        guard !pages.isEmpty else { return [] }
        return pages.enumerated().map { index, ops in
            let last = index == pages.count - 1
            // A poll's resources are upserts, changed or new.
            return SourceBatch(
                ops: ops, position: last ? position : before, endsTransaction: last, rowCount: last ? rows : 0,
                createsMayExist: true)
        }
    }

    /// A provider that is down or overloaded comes back (retried with backoff); one that
    /// refuses the token or the URL needs an operator (the pipeline stops).
    static func translating<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as SCIMClientError where error.isTransient {
            throw SourceFailure.unavailable("\(error)")
        }
    }
}

extension SCIMClientError {
    /// A poll's refusal that full pulls survive: anything but a refused token or URL (401,
    /// 403, 404), which an operator must fix and which stops the pipeline.
    var refusesPolling: Bool {
        switch self {
        case .provider(_, let status, _, _): ![401, 403, 404].contains(status)
        case .invalidResponse, .otherResource: true
        case .unreachable, .invalidURL: false
        }
    }
}
