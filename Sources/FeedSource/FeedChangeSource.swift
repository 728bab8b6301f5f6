import Connectors
import Directory
import Foundation
import Logging
import Reconcile

/// The stream of a feed: every `poll`, and whenever its store changes, it looks for work, the run left `running` (resumed
/// where the feed's store says it stopped) before the oldest `ready` run that may start;
/// it plans that run, then hands its plan out a chunk at a time. A chunk is recorded as
/// applied only when the pipeline acknowledges it, which it does after the target committed
/// it; the run is finished once every chunk is, and older runs' files are pruned.
///
/// Used by one task at a time (the pipeline's), as every ``ChangeSource`` is.
final class FeedChangeSource: ChangeSource {
    private let site: FeedSite
    private let settings: FeedConnector.Settings
    private let existing: ExistingUsers
    private let logger: Logger
    /// The run being handed out, the last plan row handed out of it, and whether any batch
    /// of it was.
    private var current: (run: Int64, handedThrough: Int, handedAny: Bool)?
    private var stopped = false
    /// Where the records of applied chunks are written, one after the other.
    private let recorder = DispatchQueue(label: "scimsync.feed.recorder")
    /// The record being written, and its run: true once it is.
    private var recording: (run: Int64, written: Task<Bool, Never>)?
    /// Users the target refused in the batches not yet acknowledged: their record says so
    /// once their chunk's is written, and the next run sends them again whole.
    private var refusedUsers: [String] = []
    /// Groups the target refused a member change (or the creation) of: their members are
    /// sent again by the next run.
    private var refusedGroups: [String] = []

    init(site: FeedSite, settings: FeedConnector.Settings, existing: ExistingUsers, logger: Logger) {
        self.site = site
        self.settings = settings
        self.existing = existing
        self.logger = logger
    }

    func next() async throws -> SourceEvent? {
        while !stopped {
            if let batch = try await nextBatch() { return .batch(batch) }
            try await waitForWork()
        }
        return nil
    }

    /// How often, between two looks for work (`poll`), the store's files are checked for a
    /// commit: a run that `scimsync feed upload` or `feed apply` (other processes) or the
    /// admin server makes ready is then started within this, not at the next `poll`.
    static let glance: Duration = .milliseconds(50)

    /// Waits until `poll` has passed or the feed's store has changed, whichever is first.
    /// A `stat` of its two files every ``glance`` costs no query and no lock.
    private func waitForWork() async throws {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: settings.poll)
        let before = site.store.fileStamp()
        while !stopped {
            let left = clock.now.duration(to: deadline)
            guard left > .zero else { return }
            try await Task.sleep(for: min(left, Self.glance))
            if site.store.fileStamp() != before { return }
        }
    }

    /// The next chunk of the run being handed out: its plan is in the feed's store already, so
    /// reading it waits for nothing. The pipeline reads it while the previous chunk's position
    /// is stored, and group commit joins chunks into one target transaction. Starting,
    /// planning and finishing a run are left to ``next()``.
    func nextBuffered() async throws -> SourceEvent? {
        guard !stopped, let (run, after, _) = current,
            let chunk = try site.store.nextChunk(run, after: after, maxUsers: settings.chunkUsers)
        else { return nil }
        return .batch(handOut(chunk, of: run))
    }

    /// Records that the target committed the chunks up to `position`. The record (each user's
    /// new state) is written on a thread of its own while the pipeline reads and applies the
    /// next chunks; the next acknowledgement, finishing the run and stopping wait for it.
    func acknowledge(_ position: SourcePosition) async {
        guard let applied = FeedPosition(position) else { return }
        // The previous record had a whole batch's apply to be written in: it almost always is.
        await settleRecording()
        let (store, logger, recorder) = (site.store, logger, recorder)
        let (refused, refusedGroups) = (refusedUsers, self.refusedGroups)
        refusedUsers = []
        self.refusedGroups = []
        let written = Task {
            await withCheckedContinuation { (done: CheckedContinuation<Bool, Never>) in
                recorder.async {
                    do {
                        try store.chunkApplied(FeedPlanChunk(run: applied.run, after: 0, through: applied.applied, ops: []))
                        if !refused.isEmpty || !refusedGroups.isEmpty {
                            try store.markRefused(userIDs: refused, groupIDs: refusedGroups)
                        }
                        done.resume(returning: true)
                    } catch {
                        // The chunk is handed out again: the target's idempotent apply makes that harmless.
                        logger.error(
                            "feed run: cannot record an applied chunk; it will be applied again",
                            metadata: ["run": "\(applied.run)", "through": "\(applied.applied)", "error": "\(error)"])
                        done.resume(returning: false)
                    }
                }
            }
        }
        recording = (applied.run, written)
    }

    /// Waits for the record in flight, if any; when it could not be written, the run's chunks
    /// are handed out again from what the feed's store says is applied.
    private func settleRecording() async {
        guard let (run, written) = recording else { return }
        recording = nil
        if !(await written.value), current?.run == run { current = nil }
    }

    func stop() async {
        stopped = true
        await settleRecording()
    }

    func refused(_ resources: [QuarantinedResource]) async {
        for resource in resources {
            switch resource.kind {
            case "User": refusedUsers.append(resource.id)
            // `group user`: the user's memberships are sent again with the user.
            case "Membership": if let user = resource.id.split(separator: " ").last { refusedUsers.append(String(user)) }
            case "Group": refusedGroups.append(resource.id)
            default: continue
            }
        }
    }

    /// The next chunk of work, nil when there is none now.
    private func nextBatch() async throws -> SourceBatch? {
        while true {
            if current == nil {
                try await recoverInterruptedUploads()
                guard let run = try await startNextRun() else { return nil }
                current = (run.id, run.appliedThrough, false)
            }
            guard let (run, after, handedAny) = current else { return nil }
            if let chunk = try site.store.nextChunk(run, after: after, maxUsers: settings.chunkUsers) {
                return handOut(chunk, of: run)
            }
            if !handedAny {
                // A run with nothing (left) to apply still moves the pipeline's position to it,
                // so that a reconciliation's snapshot of the finished run is one the stream
                // has reached.
                current = (run, after, true)
                return SourceBatch(ops: [], position: FeedPosition(run: run, applied: after).sourcePosition)
            }
            current = nil
            await settleRecording()
            try finish(run)
        }
    }

    /// `chunk` as the batch that applies it; the next chunk comes after it.
    private func handOut(_ chunk: FeedPlanChunk, of run: Int64) -> SourceBatch {
        current = (run, chunk.through, true)
        // A person who approves a run's blocks beyond the removal limit approves the run: its
        // later chunks pass without asking again.
        return SourceBatch(
            ops: chunk.ops, position: FeedPosition(run: run, applied: chunk.through).sourcePosition,
            commitTime: nil, rowCount: chunk.through - chunk.after, approvalScope: "feed run \(run)")
    }

    /// Every chunk of `run` is handed out; it is finished once every one is recorded as
    /// applied (the pipeline acknowledges before it reads again, and the caller waits for the
    /// last record first).
    private func finish(_ run: Int64) throws {
        guard let record = try site.store.run(run), record.state == .running else { return }
        guard record.appliedThrough >= record.planned else { return }
        try site.store.finish(run)
        logger.info(
            "feed run complete",
            metadata: ["run": "\(run)", "changes": "\(record.planned)", "counts": "\(record.counts.sorted { $0.key < $1.key })"])
        do {
            let pruned = try site.store.pruneFiles(keep: settings.keepFiles, in: site.area)
            if !pruned.isEmpty { logger.info("feed: removed old runs' files", metadata: ["runs": "\(pruned)"]) }
        } catch {
            logger.warning("feed: cannot remove old runs' files", metadata: ["error": "\(error)"])
        }
    }

    /// Reads again the runs whose reader stopped, and fails those whose upload stopped before
    /// every file came (``FeedSite/recoverInterruptedUploads(isRunning:)``), so that neither
    /// stays `uploading`, refusing every later upload.
    private func recoverInterruptedUploads() async throws {
        let site = self.site
        let recovered: [FeedSite.InterruptedUpload]
        do {
            guard try site.store.ownedUploads().contains(where: { !$0.owner.isRunning }) else { return }
            // Reading a run's files takes as long as an upload's reading: on a thread of its own.
            recovered = try await BlockingThread.run(named: "scimsync.feed") { _ in try site.recoverInterruptedUploads() }
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw SourceFailure.unavailable("the feed store: \(error)")
        }
        for upload in recovered {
            if let staged = upload.reread {
                logger.warning(
                    "feed run: the process reading it stopped; read again",
                    metadata: [
                        "run": "\(upload.run)", "pid": "\(upload.owner.pid)", "state": "\(staged.run.state.rawValue)",
                        "holdReason": "\(staged.run.holdReason ?? "-")", "failure": "\(staged.run.failureReason ?? "-")",
                    ])
            } else {
                logger.error(
                    "feed run failed: its upload was interrupted",
                    metadata: ["run": "\(upload.run)", "reason": "\(upload.failure ?? "-")"])
            }
        }
    }

    /// The run to hand out next: the one left running, else the oldest ready one that may
    /// start, planned now; nil when there is none.
    private func startNextRun() async throws -> FeedRun? {
        guard let run = try site.store.nextRunToApply() else { return nil }
        if run.state == .running {
            logger.info(
                "feed run: resuming", metadata: ["run": "\(run.id)", "applied": "\(run.appliedThrough)", "planned": "\(run.planned)"])
            return run
        }
        let (site, existing) = (self.site, self.existing)
        let managed = Set(site.control.managedGroups.map(\.id))
        do {
            // Planning reads the whole upload and may ask the target: on a thread of its own.
            let started = try await BlockingThread.run(named: "scimsync.feed") { _ in
                let present = try await existing.present(among: try site.store.unownedUserNames(of: run.id))
                return try site.store.start(
                    run.id, approvedBy: run.approvedBy, managedGroups: managed,
                    existingUserID: { present.contains($0) ? $0 : nil })
            }
            logger.info(
                "feed run started",
                metadata: [
                    "run": "\(run.id)", "changes": "\(started.planned)", "approvedBy": "\(run.approvedBy ?? "-")",
                    "counts": "\(started.counts.sorted { $0.key < $1.key })",
                ])
            return started
        } catch let error as FeedStoreError {
            switch error {
            case .held, .illegal:
                // Cancelled or changed by a command meanwhile: look again.
                return nil
            case .cannotOpen, .noSuchRun, .runInProgress, .notFullyApplied, .database:
                throw SourceFailure.unavailable("the feed store: \(error)")
            }
        } catch let error as SourceFailure {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            // The target could not be asked about the run's new users: try again later.
            throw SourceFailure.unavailable("cannot ask the target which of run \(run.id)'s users it has: \(error)")
        }
    }
}

/// Which userNames the target already has as user ids (users the feed did not create: left
/// alone). Asked once per run, in batches.
struct ExistingUsers: Sendable {
    let targetReader: (@Sendable () async throws -> any ReconcileTargetReader)?

    /// The target's users among `userNames` (as ids); empty without a target.
    func present(among userNames: [String]) async throws -> Set<String> {
        guard let targetReader, !userNames.isEmpty else { return [] }
        let reader = try await targetReader()
        var present: Set<String> = []
        var start = 0
        while start < userNames.count {
            let slice = Array(userNames[start..<min(start + 1000, userNames.count)])
            present.formUnion(try reader.existingUserIDs(slice))
            start += 1000
        }
        return present
    }
}
