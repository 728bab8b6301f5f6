import Clocks
import Connectors
import Directory
import PipelineCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif
import Testing

/// The whole lifecycle over in-memory connectors and a test clock: no servers, no real time.
@Suite struct PipelineRunnerTests {
    static let backoff = Backoff(initialDelay: .seconds(1), maximumDelay: .seconds(8), multiplier: 2, jitter: 0)

    /// A pipeline over `sources`, `target` and `log`, running in a task.
    static func start<C: Clock>(
        _ sources: SourceLog, _ target: InMemoryTarget, _ log: InMemoryOffsetLog, clock: C,
        observer: RecordingObserver = RecordingObserver(), limit: RemovalGuard.Limit = .percent(10),
        timing: PipelineRunner<C>.Timing = .init(),
        load: @escaping @Sendable (LoadReason) async throws -> LoadOutcome = { _ in .loaded(.token("0")) },
        mappingProblem: @escaping @Sendable () async throws -> String? = { nil }, leavesForeignRows: Bool = false
    ) -> Task<Void, any Error> where C.Duration == Duration {
        Task {
            let runner = PipelineRunner(
                connectors: .init(
                    openSource: { position in try sources.open(at: position) }, load: load, mappingProblem: mappingProblem),
                target: target, log: log, removalLimit: limit, backoff: backoff, clock: clock, timing: timing,
                observer: observer, random: { 0.5 }, wallClock: { 2_000 }, leavesForeignRows: leavesForeignRows)
            try await runner.run()
        }
    }

    /// Waits for something the pipeline task does (in memory: bounded by seconds, not by a
    /// loaded machine's minutes).
    static func until(_ what: Comment, _ condition: () -> Bool) async throws {
        for _ in 0..<20_000 {
            if condition() { return }
            try await Task.sleep(for: .milliseconds(1))
        }
        Issue.record("timed out waiting: \(what)")
    }

    @Test func batchesAreAppliedInOrderAndCommittedAfterTheTarget() async throws {
        let (sources, target, log) = (SourceLog(), InMemoryTarget(), InMemoryOffsetLog())
        let task = Self.start(sources, target, log, clock: ImmediateClock())
        defer { task.cancel() }
        sources.append([Ops.user("1")])
        sources.append([Ops.user("2")])
        let last = sources.append([.deactivate(userID: "1")])
        try await Self.until("the third batch committed") { log.commits.last == last }
        #expect(target.contents.users == ["1": false, "2": true])
        #expect(try log.position() == last)
    }

    /// Journal records are made for what the log keeps: none at all while it keeps no
    /// journal (building them costs time on every batch).
    @Test(arguments: [true, false])
    func journalRecordsAreBuiltOnlyWhileTheLogKeepsThem(_ keeps: Bool) async throws {
        let (sources, target, log) = (SourceLog(), InMemoryTarget(), InMemoryOffsetLog())
        log.keepJournal(keeps)
        let task = Self.start(sources, target, log, clock: ImmediateClock())
        defer { task.cancel() }
        let last = sources.append([Ops.user("1"), Ops.user("2")])
        try await Self.until("the batch committed") { log.commits.last == last }
        #expect(log.journaled.map(\.id) == (keeps ? ["1", "2"] : []))
        #expect(target.contents.users == ["1": true, "2": true])
    }

    /// No stall: after a target outage every batch committed during it arrives once the target
    /// is back, without any further source traffic; nothing is committed while it is down.
    @Test func aTargetOutageDeliversEverythingAsSoonAsTheTargetIsBack() async throws {
        let (sources, target, log) = (SourceLog(), InMemoryTarget(), InMemoryOffsetLog())
        let clock = TestClock()
        let observer = RecordingObserver()
        let task = Self.start(sources, target, log, clock: clock, observer: observer)
        defer { task.cancel() }
        target.fail(times: 2)
        sources.append([Ops.user("1")])
        try await Self.until("the first failure") { observer.failures.count == 1 }
        sources.append([Ops.user("2")])
        let last = sources.append([Ops.user("3")])
        #expect(log.commits.isEmpty, "nothing is committed while the target is down")
        await clock.advance(by: .milliseconds(999))
        #expect(observer.failures.count == 1, "the retry waits for its backoff")
        await clock.advance(by: .milliseconds(1))
        try await Self.until("the second failure") { observer.failures.count == 2 }
        #expect(log.commits.isEmpty)
        await clock.advance(by: .seconds(2))
        try await Self.until("every batch committed") { log.commits.last == last }
        #expect(Set(target.contents.users.keys) == ["1", "2", "3"])
        #expect(observer.states.contains(.retrying(.target("TargetDown()"), attempt: 2)))
        #expect(observer.states.last == .streaming)
    }

    /// A write the target does not finish in time is said (the daemon shows `retrying` and
    /// why), and so is its answer after all; the batch then commits as usual. A write in time
    /// says nothing.
    @Test func aWriteThatWaitsTooLongIsSaidAndSoIsItsAnswer() async throws {
        let (sources, target, log) = (SourceLog(), InMemoryTarget(), InMemoryOffsetLog())
        let observer = RecordingObserver()
        var timing = PipelineRunner<ImmediateClock<Duration>>.Timing()
        timing.slowApply = .milliseconds(20)
        let task = Self.start(sources, target, log, clock: ImmediateClock(), observer: observer, timing: timing)
        defer { task.cancel() }
        let first = sources.append([Ops.user("1")])
        try await Self.until("the first batch committed") { log.commits.last == first }
        #expect(observer.targetWaits.isEmpty)

        target.hold(true)
        let second = sources.append([Ops.user("2")])
        try await Self.until("the wait said") { !observer.targetWaits.isEmpty }
        let reason = try #require(observer.targetWaits.first ?? nil)
        #expect(reason.contains("the target has not finished writing a batch of 1 operations"), "\(reason)")
        #expect(log.commits.last == first, "nothing committed while the target waits")
        target.hold(false)
        try await Self.until("the second batch committed") { log.commits.last == second }
        #expect(observer.targetWaits.count == 2 && observer.targetWaits.last == .some(nil), "\(observer.targetWaits)")
        #expect(target.contents.users == ["1": true, "2": true])
    }

    /// A crash between the target's commit and the offset's: the batch comes again from the
    /// committed position and changes nothing more.
    @Test func aCrashBeforeTheOffsetCommitReplaysIdempotently() async throws {
        let (sources, target, log) = (SourceLog(), InMemoryTarget(), InMemoryOffsetLog(position: .token("0")))
        sources.append([Ops.user("1"), Ops.group("g"), .addMember(groupID: "g", userID: "1")])
        log.failCommits(true)
        let first = Self.start(sources, target, log, clock: ImmediateClock())
        await #expect(throws: CrashPoint.self) { try await first.value }
        #expect(target.contents.members == ["g:1"], "the target committed")
        #expect(try log.position() == .token("0"), "the offset did not")
        let applied = target.contents

        log.failCommits(false)
        let second = Self.start(sources, target, log, clock: ImmediateClock())
        defer { second.cancel() }
        try await Self.until("the replay committed") { log.commits == [.token("1")] }
        #expect(target.contents == applied)
        #expect(sources.opened == [.token("0"), .token("0")])
    }

    @Test func batchesAlreadyReceivedShareOneTargetTransaction() async throws {
        let (sources, target, log) = (SourceLog(), InMemoryTarget(), InMemoryOffsetLog(position: .token("0")))
        sources.append([Ops.user("1")])
        sources.append([Ops.user("2")])
        let last = sources.append([Ops.user("3")])
        let task = Self.start(sources, target, log, clock: TestClock())
        defer { task.cancel() }
        try await Self.until("the group committed") { log.commits.last == last }
        #expect(target.applies.count == 1)
        #expect(log.commits == [last])
    }

    /// The offset store's commit of one batch runs while the next batch is applied, and each
    /// position is still stored after the target applied it, in order.
    @Test func theNextBatchIsAppliedWhileTheLastOneCommits() async throws {
        let (sources, target, log) = (SourceLog(), InMemoryTarget(), InMemoryOffsetLog(position: .token("0")))
        log.holdCommits(true)
        // The second batch arrives while the first is applied: too late to join its group.
        target.onApply { ops in
            if ops == [Ops.user("1")] { sources.append([Ops.user("2")]) }
        }
        sources.append([Ops.user("1")])
        let task = Self.start(sources, target, log, clock: ImmediateClock())
        defer { task.cancel() }
        try await Self.until("the second batch applied") { target.applies.count == 2 }
        #expect(log.commits.isEmpty, "the first batch's commit still waits at the gate")
        #expect(target.contents.users == ["1": true, "2": true])
        log.holdCommits(false)
        try await Self.until("both committed") { log.commits.count == 2 }
        #expect(log.commits == [.token("1"), .token("2")])
    }

    /// A stop waits for the commit in flight: what the target applied is stored when the
    /// pipeline returns. The stop comes while the next batch is applied.
    @Test func stoppingWaitsForTheCommitInFlight() async throws {
        let (sources, target, log) = (SourceLog(), InMemoryTarget(), InMemoryOffsetLog(position: .token("0")))
        log.holdCommits(true)
        target.onApply { ops in
            if ops == [Ops.user("1")] { sources.append([Ops.user("2")]) }
            if ops == [Ops.user("2")] {
                // The second apply lasts until the pipeline is stopped (bounded).
                for _ in 0..<20_000 where !Task.isCancelled { usleep(1_000) }
                throw CancellationError()
            }
        }
        let first = sources.append([Ops.user("1")])
        let task = Self.start(sources, target, log, clock: ImmediateClock())
        try await Self.until("the first commit waits at the gate") { log.commitsWaiting == 1 }
        task.cancel()
        try await Task.sleep(for: .milliseconds(20))
        log.holdCommits(false)
        try await task.value
        #expect(log.commits == [first])
    }

    /// A commit that fails after the next batch was read still stops the pipeline with its
    /// error, and nothing after it is stored.
    @Test func aCommitThatFailsInFlightStopsThePipeline() async throws {
        let (sources, target, log) = (SourceLog(), InMemoryTarget(), InMemoryOffsetLog(position: .token("0")))
        log.holdCommits(true)
        log.failCommits(true)
        target.onApply { ops in
            if ops == [Ops.user("1")] { sources.append([Ops.user("2")]) }
        }
        sources.append([Ops.user("1")])
        let task = Self.start(sources, target, log, clock: ImmediateClock())
        try await Self.until("the second batch applied") { target.applies.count == 2 }
        log.holdCommits(false)
        await #expect(throws: CrashPoint.self) { try await task.value }
        #expect(log.commits.isEmpty)
        #expect(try log.position() == .token("0"))
    }

    @Test func partsOfOneTransactionAreAppliedButOnlyTheEndIsCommitted() async throws {
        let (sources, target, log) = (SourceLog(), InMemoryTarget(), InMemoryOffsetLog(position: .token("0")))
        let task = Self.start(sources, target, log, clock: ImmediateClock())
        defer { task.cancel() }
        sources.append([Ops.user("1")], endsTransaction: false)
        try await Self.until("the part applied") { target.contents.users["1"] != nil }
        #expect(log.commits.isEmpty)
        let end = sources.append([Ops.user("2")])
        try await Self.until("the transaction committed") { log.commits == [end] }
    }

    @Test func massRemovalHoldsUntilApproved() async throws {
        let (sources, target, log) = (SourceLog(), InMemoryTarget(users: 100), InMemoryOffsetLog(position: .token("0")))
        let observer = RecordingObserver()
        let task = Self.start(sources, target, log, clock: ImmediateClock(), observer: observer)
        defer { task.cancel() }
        sources.append((0..<3).map { .delete(.user, id: "seed\($0)") })
        try await Self.until("a few removals pass") { target.contents.users.count == 97 }
        let mass = sources.append((10..<30).map { .delete(.user, id: "seed\($0)") })
        try await Self.until("the hold") { log.heldReason != nil }
        #expect(log.heldReason?.contains("reconcile.maxRemovals") == true)
        #expect(observer.states.last?.name == "paused")
        #expect(target.contents.users.count == 97, "nothing of the held batch applied")
        #expect(log.commits.last != mass)
        log.approve()
        try await Self.until("the approved batch committed") { log.commits.last == mass }
        #expect(target.contents.users.count == 77)
        #expect(log.heldReason == nil)
        #expect(observer.states.last == .streaming)
    }

    /// A feed run's blocks arrive in several batches of one approval scope: one approval lets
    /// the whole run through, and the next run over the limit waits again.
    @Test func anApprovalCoversEveryBatchOfItsScope() async throws {
        let (sources, target, log) = (SourceLog(), InMemoryTarget(users: 100), InMemoryOffsetLog(position: .token("0")))
        let task = Self.start(sources, target, log, clock: ImmediateClock())
        defer { task.cancel() }
        func append(_ ids: Range<Int>, scope: String) -> SourcePosition {
            let position = SourcePosition.token("\(sources.count + 1)")
            sources.append(
                .event(
                    .batch(
                        SourceBatch(
                            ops: ids.map { .delete(.user, id: "seed\($0)") }, position: position, approvalScope: scope))))
            return position
        }
        _ = append(0..<20, scope: "feed run 1")
        try await Self.until("the hold") { log.heldReason != nil }
        #expect(target.contents.users.count == 100)
        log.approve()
        try await Self.until("the approved batch applied") { target.contents.users.count == 80 }
        let rest = append(20..<40, scope: "feed run 1")
        try await Self.until("the rest of the run committed") { log.commits.last == rest }
        #expect(target.contents.users.count == 60)
        #expect(log.heldReason == nil)
        let next = append(40..<60, scope: "feed run 2")
        try await Self.until("the next run held") { log.heldReason != nil }
        #expect(target.contents.users.count == 60)
        #expect(log.commits.last != next)
    }

    /// The last part of an approved source transaction, read together with an unrelated batch
    /// that group commit could join to it, is still covered by the approval: a group never
    /// mixes approval scopes.
    @Test func anApprovedScopeIsNotLostByGroupCommit() async throws {
        let (sources, target, log) = (SourceLog(), InMemoryTarget(users: 100), InMemoryOffsetLog(position: .token("0")))
        let task = Self.start(sources, target, log, clock: ImmediateClock())
        defer { task.cancel() }
        let scope = "source transaction from binlog.000001:4"
        func part(_ ids: Range<Int>, at index: Int, last: Bool) -> SourceLog.Entry {
            .event(
                .batch(
                    SourceBatch(
                        ops: ids.map { .delete(.user, id: "seed\($0)") }, position: .token("\(index)"), endsTransaction: last,
                        approvalScope: scope)))
        }
        sources.append(part(0..<20, at: 1, last: false))
        try await Self.until("the hold") { log.heldReason != nil }
        log.approve()
        // Applied, and the hold lifted: the runner lifts it just after the target's apply, and
        // the wait below must not take the old hold for a new one.
        try await Self.until("the approved part applied") { target.contents.users.count == 80 && log.heldReason == nil }
        // The last part, and a transaction of other tables (no operations) read with it.
        sources.append(contentsOf: [
            part(20..<40, at: 2, last: true), .event(.batch(SourceBatch(ops: [], position: .token("3")))),
        ])
        try await Self.until("the rest of the transaction and the next committed") {
            log.commits.last == .token("3") || log.heldReason != nil
        }
        #expect(log.heldReason == nil, "the last part was held again")
        #expect(target.contents.users.count == 60)
    }

    /// Rows the mapping refused are quarantined whether their batch comes alone or joins
    /// others in one target transaction.
    @Test func refusedRowsOfGroupedBatchesAreAllQuarantined() async throws {
        let (sources, target, log) = (SourceLog(), InMemoryTarget(), InMemoryOffsetLog(position: .token("0")))
        for index in 1...3 {
            sources.append(
                .event(
                    .batch(
                        SourceBatch(
                            ops: [Ops.user("u\(index)")], position: .token("\(index)"), rowCount: 2,
                            unmapped: [QuarantinedResource(kind: "User", id: "bad\(index)", reason: "column mail: not text")]))))
        }
        let task = Self.start(sources, target, log, clock: TestClock())
        defer { task.cancel() }
        try await Self.until("the group committed") { log.commits.last == .token("3") }
        #expect(target.applies.count == 1, "one target transaction for the three")
        #expect(Set(log.quarantinedIDs) == ["bad1", "bad2", "bad3"])
    }

    @Test func aParkedMembershipAppliesWhenItsGroupArrives() async throws {
        let (sources, target, log) = (SourceLog(), InMemoryTarget(), InMemoryOffsetLog(position: .token("0")))
        let task = Self.start(sources, target, log, clock: ImmediateClock())
        defer { task.cancel() }
        sources.append([Ops.user("1"), .addMember(groupID: "g", userID: "1")])
        sources.append([Ops.user("2"), .addMember(groupID: "h", userID: "2")])
        let third = sources.append([Ops.user("3")])
        try await Self.until("committed past the missing groups") { log.commits.last == third }
        #expect(log.parkedOps.count == 2)
        #expect(target.contents.members.isEmpty)
        sources.append([.removeMember(groupID: "h", userID: "2")])
        let groups = sources.append([Ops.group("g"), Ops.group("h")])
        try await Self.until("the groups committed") { log.commits.last == groups }
        #expect(target.contents.members == ["g:1"], "the parked addition applied, the superseded one did not")
        #expect(log.parkedOps.isEmpty)
    }

    /// A membership naming both a group and a user the target lacks waits for the group, then,
    /// once the group arrives, for the user; it is tried again only when what it waits for
    /// arrives, not after every batch that creates something.
    @Test func aMembershipWaitingForTwoRowsAppliesOnceBothArrive() async throws {
        let (sources, target, log) = (SourceLog(), InMemoryTarget(), InMemoryOffsetLog(position: .token("0")))
        let task = Self.start(sources, target, log, clock: ImmediateClock())
        defer { task.cancel() }
        let first = sources.append([.addMember(groupID: "g", userID: "1")])
        try await Self.until("the membership parked") { log.commits.last == first }
        #expect(try log.parked().map(\.waitingID) == ["g"])
        let unrelated = sources.append([Ops.user("9")])
        try await Self.until("an unrelated creation committed") { log.commits.last == unrelated }
        #expect(target.applies.filter { $0.contains(.addMember(groupID: "g", userID: "1")) }.count == 1, "retried for nothing")
        let group = sources.append([Ops.group("g")])
        try await Self.until("the group committed") { log.commits.last == group }
        #expect(try log.parked().map(\.waitingID) == ["1"], "now waits for its user")
        let user = sources.append([Ops.user("1")])
        try await Self.until("the user committed") { log.commits.last == user }
        #expect(target.contents.members == ["g:1"])
        #expect(try log.parked().isEmpty)
    }

    @Test func aRefusedRowIsQuarantinedAndTheRestGoesOn() async throws {
        let (sources, target, log) = (SourceLog(), InMemoryTarget(), InMemoryOffsetLog(position: .token("0")))
        let task = Self.start(sources, target, log, clock: ImmediateClock())
        defer { task.cancel() }
        sources.append([Ops.user("a"), Ops.user("r", userName: "refused"), Ops.user("b")])
        let next = sources.append([Ops.user("c")])
        try await Self.until("committed past the refused row") { log.commits.last == next }
        #expect(Set(target.contents.users.keys) == ["a", "b", "c"])
        #expect(log.quarantinedIDs == ["r"])
    }

    @Test func aLostSourceConnectionStreamsAgainFromTheCommittedPosition() async throws {
        let (sources, target, log) = (SourceLog(), InMemoryTarget(), InMemoryOffsetLog(position: .token("0")))
        let clock = TestClock()
        let observer = RecordingObserver()
        let task = Self.start(sources, target, log, clock: clock, observer: observer)
        defer { task.cancel() }
        let first = sources.append([Ops.user("1")])
        try await Self.until("the first batch") { log.commits == [first] }
        sources.append(.failure(.unavailable("connection reset")))
        try await Self.until("the failure") { observer.failures.count == 1 }
        #expect(observer.states.last == .retrying(.source("connection reset"), attempt: 1))
        await clock.advance(by: .seconds(1))
        let last = sources.append([Ops.user("2")])
        try await Self.until("streaming again") { log.commits.last == last }
        #expect(sources.opened == [.token("0"), first])
    }

    @Test func aPurgedPositionIsRecoveredByALoad() async throws {
        let (sources, target, log) = (SourceLog(), InMemoryTarget(), InMemoryOffsetLog(position: .token("1")))
        sources.append([Ops.user("1")])
        sources.append([Ops.user("2")])
        sources.purge(through: 1)
        let loads = LoadCounter()
        let task = Self.start(sources, target, log, clock: ImmediateClock()) { reason in
            loads.add(reason)
            return .loaded(.token("2"))
        }
        defer { task.cancel() }
        let next = sources.append([Ops.user("3")])
        try await Self.until("streaming after the load") { log.commits.last == next }
        #expect(loads.reasons == [.positionLost("position 1 was purged")])
        #expect(sources.opened == [.token("1"), .token("2")])
    }

    @Test func aBrokenMappingPausesUntilTheSchemaFitsAgain() async throws {
        let (sources, target, log) = (SourceLog(), InMemoryTarget(), InMemoryOffsetLog(position: .token("0")))
        let clock = TestClock()
        let observer = RecordingObserver()
        let fixed = LoadCounter()
        let fixedLoads = LoadCounter()
        let task = Self.start(sources, target, log, clock: clock, observer: observer) { reason in
            fixedLoads.add(reason)
            return .loaded(.token("2"))
        } mappingProblem: {
            fixed.reasons.isEmpty ? "sync_users.email is gone" : nil
        }
        defer { task.cancel() }
        sources.append(.once(.mappingBroken(reason: "sync_users.email is gone", position: .token("1"))))
        sources.append([Ops.user("1")])
        try await Self.until("paused") { observer.states.last == .paused(.mapping("sync_users.email is gone")) }
        await clock.advance(by: .seconds(5))
        #expect(target.contents.users.isEmpty, "nothing applied while the mapping is broken")
        fixed.add(.firstLoad)
        // The runner checks every 5 s of its clock; advance until a check has seen the fix.
        for _ in 0..<1_000 where observer.states.last != .streaming {
            await clock.advance(by: .seconds(5))
            try await Task.sleep(for: .milliseconds(1))
        }
        #expect(observer.states.last == .streaming)
        #expect(fixedLoads.reasons == [.resync("the source's tables fit the layout again")], "reconciled, not replayed")
        #expect(sources.opened.count == 2)
        #expect(try log.pausedForMapping() == nil, "the load ended the pause")
    }

    /// A load that fails while the source's tables do not fit the layout pauses the pipeline
    /// with the mapping's reason, as the stream does, instead of retrying the load: once they
    /// fit, it loads again.
    @Test func aLoadThatFailsForTheMappingPausesUntilTheSchemaFits() async throws {
        let (sources, target, log) = (SourceLog(), InMemoryTarget(), InMemoryOffsetLog())
        let clock = TestClock()
        let observer = RecordingObserver()
        let loads = LoadCounter()
        let fits = LoadCounter()
        struct ColumnGone: Error {}
        let task = Self.start(sources, target, log, clock: clock, observer: observer) { reason in
            loads.add(reason)
            if fits.reasons.isEmpty { throw ColumnGone() }
            return .loaded(.token("2"))
        } mappingProblem: {
            fits.reasons.isEmpty ? "source table sync_users has no column job_title" : nil
        }
        defer { task.cancel() }
        try await Self.until("paused") {
            observer.states.last == .paused(.mapping("source table sync_users has no column job_title"))
        }
        #expect(loads.reasons.count == 1, "the load is not retried while the tables do not fit")
        fits.add(.firstLoad)
        for _ in 0..<1_000 where observer.states.last != .streaming {
            await clock.advance(by: .seconds(5))
            try await Task.sleep(for: .milliseconds(1))
        }
        #expect(observer.states.last == .streaming)
        #expect(loads.reasons.last == .resync("the source's tables fit the layout again"))
    }

    /// A pipeline started again while it was paused for its mapping (the daemon stopped then)
    /// does not stream from its position: what was written while the tables did not fit may be
    /// missing from the source's log there. It waits until they fit, then reads the source
    /// again, as the pause would have ended.
    @Test func aPipelineLeftPausedForItsMappingReadsTheSourceAgainOnceItFits() async throws {
        let (sources, target, log) = (SourceLog(), InMemoryTarget(), InMemoryOffsetLog(position: .token("1")))
        try log.setPausedForMapping("change tracking is off for table [dbo].[sync_users]")
        let clock = TestClock()
        let observer = RecordingObserver()
        let loads = LoadCounter()
        let fits = LoadCounter()
        let task = Self.start(sources, target, log, clock: clock, observer: observer) { reason in
            loads.add(reason)
            return .loaded(.token("2"))
        } mappingProblem: {
            fits.reasons.isEmpty ? "change tracking is off for table [dbo].[sync_users]" : nil
        }
        defer { task.cancel() }
        try await Self.until("paused") {
            observer.states.last == .paused(.mapping("change tracking is off for table [dbo].[sync_users]"))
        }
        #expect(sources.opened.isEmpty, "no stream from the position left behind")
        fits.add(.firstLoad)
        for _ in 0..<1_000 where observer.states.last != .streaming {
            await clock.advance(by: .seconds(5))
            try await Task.sleep(for: .milliseconds(1))
        }
        #expect(observer.states.last == .streaming)
        #expect(loads.reasons == [.resync("the source's tables fit the layout again")])
        #expect(sources.opened == [.token("2")])
        #expect(try log.pausedForMapping() == nil)
    }

    @Test func cancellationStopsCleanly() async throws {
        let (sources, target, log) = (SourceLog(), InMemoryTarget(), InMemoryOffsetLog(position: .token("0")))
        let observer = RecordingObserver()
        let task = Self.start(sources, target, log, clock: ImmediateClock(), observer: observer)
        let first = sources.append([Ops.user("1")])
        try await Self.until("applied") { log.commits == [first] }
        task.cancel()
        try await task.value
        #expect(observer.states.last == .stopped)
    }
}

/// Counts loads (or any other call) from a task.
final class LoadCounter: Sendable {
    private let recorded = Mutex<[LoadReason]>([])
    var reasons: [LoadReason] { recorded.withLock { $0 } }
    func add(_ reason: LoadReason) { recorded.withLock { $0.append(reason) } }
}
