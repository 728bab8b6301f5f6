import Connectors
import Directory
import Foundation
import Logging
import Reconcile

/// A feed as a pipeline's source: each run an upload made `ready` (by the safety rule, or
/// approved by a person) is planned and handed to the pipeline a chunk at a time; the target
/// committing a chunk is what records it as applied in the feed's store.
///
/// Positions are ``FeedPosition``s (`feed:run=12:applied=300`). The feed's store is the
/// source of truth for where a run is; the offset store's position only closes the one gap a
/// crash can open, between the target committing a chunk and the feed's store recording it
/// (``openStream(from:)``): nothing applied is handed out again, nothing is lost.
///
/// A snapshot of a feed is what the feed has made of the target: the managed groups, and
/// every user it created as last written (a blocked one inactive), with their memberships in
/// managed groups. A first load creates the managed groups the target lacks; a reconciliation
/// repairs drift in the feed's users and never touches what the feed did not create.
public struct FeedConnector: SourceConnector {
    public struct Settings: Sendable {
        /// How often the stream looks for a run to apply.
        public var poll: Duration
        /// How many of the newest runs keep their uploaded files.
        public var keepFiles: Int
        /// Users' changes per chunk read from the feed's store (group commit joins chunks into
        /// one target transaction).
        public var chunkUsers: Int
        /// Where the feed's settings are in the configuration, for messages.
        public var keyPath: String

        public init(poll: Duration, keepFiles: Int, chunkUsers: Int = FeedStore.pageSize, keyPath: String = "source.feed") {
            self.poll = poll
            self.keepFiles = keepFiles
            self.chunkUsers = chunkUsers
            self.keyPath = keyPath
        }
    }

    public let site: FeedSite
    public let settings: Settings
    /// Opens a reader of the target, to ask which of a run's new users it already has (they
    /// are left alone: the feed never adopts); nil when no target is at hand.
    private let targetReader: (@Sendable () async throws -> any ReconcileTargetReader)?
    private let logger: Logger

    public init(
        site: FeedSite, settings: Settings,
        targetReader: (@Sendable () async throws -> any ReconcileTargetReader)? = nil, logger: Logger
    ) {
        self.site = site
        self.settings = settings
        self.targetReader = targetReader
        var logger = logger
        logger[metadataKey: "feed"] = "\(site.directory)"
        self.logger = logger
    }

    public func openStream(from position: SourcePosition) async throws -> any ChangeSource {
        guard let committed = FeedPosition(position) else { throw FeedConnectorError.notAFeedPosition("\(position)") }
        // The target committed up to `committed` (the offset store records a position only
        // after that); the feed's store may not have heard of the last chunk yet.
        if let running = try site.store.runningRun(), running.id == committed.run,
            running.appliedThrough < committed.applied
        {
            try site.store.chunkApplied(
                FeedPlanChunk(run: committed.run, after: running.appliedThrough, through: committed.applied, ops: []))
            logger.info(
                "feed run: recorded the chunk the target committed before the restart",
                metadata: ["run": "\(committed.run)", "through": "\(committed.applied)"])
        }
        return FeedChangeSource(
            site: site, settings: settings, existing: ExistingUsers(targetReader: targetReader), logger: logger)
    }

    public func openSnapshot() async throws -> any SourceSnapshot {
        try FeedSnapshot(site: site)
    }

    public func mappingProblem() async throws -> String? { nil }

    public func hasReached(_ committed: SourcePosition, _ snapshot: SourcePosition) -> Bool {
        guard let done = FeedPosition(committed), let wanted = FeedPosition(snapshot) else { return false }
        return done.run > wanted.run || (done.run == wanted.run && done.applied >= wanted.applied)
    }

    /// Runs waiting to be applied are the feed's lag; a run held for approval is reported by
    /// `scimsync feed runs`, not here.
    public func lag(committed: SourcePosition, sourceTime: Int64?) -> SourceLag? {
        guard let runs = try? site.store.runs() else { return .unknown("the feed store cannot be read") }
        let waiting = runs.filter { $0.state == .running || ($0.state == .ready && ($0.holdReason == nil || $0.approvedBy != nil)) }
        guard let oldest = waiting.last else { return .caughtUp }
        return .behind(sourcePosition: "run \(oldest.id) (\(waiting.count) to apply)", seconds: nil)
    }

    public func probe() async -> [ConnectorCheck] {
        var checks: [ConnectorCheck] = [
            ConnectorCheck(
                .passed,
                "\(settings.keyPath).control: \(site.settings.controlPath) reads \(site.control.files.count) file(s), "
                    + "maps \(site.control.attributes.count) attribute(s), manages \(site.control.managedGroups.count) group(s)")
        ]
        do {
            let runs = try site.store.runs()
            let held = runs.filter { $0.state == .ready && $0.holdReason != nil && $0.approvedBy == nil }
            checks.append(
                ConnectorCheck(
                    .passed,
                    "\(settings.keyPath): the feed store \(site.store.path) opens (\(runs.count) run(s), last complete: "
                        + "\(runs.first { $0.state == .complete }.map { "run \($0.id)" } ?? "none"))"))
            for run in held {
                checks.append(
                    ConnectorCheck(
                        .warning,
                        "run \(run.id) waits for approval (\(run.holdReason ?? "")): `scimsync feed apply \(run.id)` or `scimsync feed cancel \(run.id)`"
                    ))
            }
        } catch {
            checks.append(ConnectorCheck(.failed, "\(settings.keyPath): \(error)"))
        }
        return checks
    }
}

/// Why a feed cannot be streamed.
public enum FeedConnectorError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The offset store holds a position of another kind of source (the configuration changed).
    case notAFeedPosition(String)

    public var description: String {
        switch self {
        case .notAFeedPosition(let position):
            "the offset store's position \(position) is not a feed position: the source changed kind; "
                + "give this pipeline a new name or a new offsets.path to load it afresh"
        }
    }
}
