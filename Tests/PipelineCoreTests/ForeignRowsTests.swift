import Clocks
import Connectors
import Directory
@testable import PipelineCore
import Testing

/// The stream leaves alone the target rows scimsync did not create, unless the pipeline
/// adopts them: what a reconciliation pass already did, now for rows written by id.
@Suite struct ForeignRowsTests {
    typealias Runner = PipelineRunnerTests

    /// A row someone else put in the target under a source id: every operation on it (its
    /// create, a deactivation, a membership of it, its delete) is quarantined with what to
    /// do, the rest of the batch is applied, and the row never joins the ledger.
    @Test func operationsOnARowScimsyncDidNotCreateAreQuarantinedAndTheRestApplies() async throws {
        let (sources, target, log) = (SourceLog(), InMemoryTarget(), InMemoryOffsetLog(position: .token("0")))
        target.insertForeign(LedgerEntry(kind: .user, id: "f"))
        let task = Runner.start(sources, target, log, clock: ImmediateClock(), leavesForeignRows: true)
        defer { task.cancel() }
        sources.append([Ops.group("g"), Ops.user("1")])
        let second = sources.append([
            Ops.user("f"), .deactivate(userID: "f"), .addMember(groupID: "g", userID: "f"),
            .addMember(groupID: "g", userID: "1"),
        ])
        try await Runner.until("the second batch committed") { log.commits.last == second }
        #expect(target.contents.users == ["f": true, "1": true], "the foreign user was deactivated")
        #expect(target.contents.members == ["g:1"], "a membership of the foreign user was added")
        #expect(log.ledger == [LedgerEntry(kind: .group, id: "g"), LedgerEntry(kind: .user, id: "1")])
        let refused = log.quarantined
        #expect(Set(refused.keys) == ["f", "g f"])
        let reason = try #require(refused["f"]?.reason)
        #expect(reason.contains("a User of this id that scimsync did not create"), "\(reason)")
        #expect(reason.contains("adopt: true"), "\(reason)")
        #expect(refused["g f"]?.reason.contains("this membership's User") == true)
        let journaled = log.journaled.filter { $0.id == "f" }
        #expect(journaled.count == 2 && journaled.allSatisfy { $0.outcome == .quarantined }, "\(journaled)")

        let third = sources.append([.delete(.user, id: "f")])
        try await Runner.until("the delete committed") { log.commits.last == third }
        #expect(target.contents.users["f"] != nil, "the foreign user was deleted")
    }

    /// With adoption the stream writes over such a row, as it always did.
    @Test func anAdoptingPipelineWritesOverThem() async throws {
        let (sources, target, log) = (SourceLog(), InMemoryTarget(), InMemoryOffsetLog(position: .token("0")))
        target.insertForeign(LedgerEntry(kind: .user, id: "f"))
        let task = Runner.start(sources, target, log, clock: ImmediateClock(), leavesForeignRows: false)
        defer { task.cancel() }
        let last = sources.append([.deactivate(userID: "f")])
        try await Runner.until("the batch committed") { log.commits.last == last }
        #expect(target.contents.users == ["f": false])
        #expect(log.quarantined.isEmpty)
    }

    /// A create joins the ledger before the target applies it: after a crash between the
    /// target's commit and the offset store's, the replay finds the row scimsync's own, not
    /// foreign, and its later changes still arrive.
    @Test func aCreateReplayedAfterACrashIsStillOwned() async throws {
        let (sources, target, log) = (SourceLog(), InMemoryTarget(), InMemoryOffsetLog(position: .token("0")))
        sources.append([Ops.user("1")])
        log.failCommits(true)
        let first = Runner.start(sources, target, log, clock: ImmediateClock(), leavesForeignRows: true)
        await #expect(throws: CrashPoint.self) { try await first.value }
        #expect(target.contents.users == ["1": true], "the target committed")
        #expect(try log.position() == .token("0"), "the offset store did not")

        try await Self.restartAndDeactivate(sources, target, log)
    }

    /// A user deleted in one batch and created again in the next while the first batch's
    /// commit, which takes the user out of the ledger, is still in flight. The second batch
    /// reads the ledger after that commit: the user is not scimsync's at that moment, so its
    /// create joins the ledger before it is applied, and a crash before the second batch's
    /// commit leaves the user owned for the replay.
    @Test func aUserDeletedAndCreatedAgainAcrossACommitInFlightStaysOwned() async throws {
        let (sources, target, log) = (SourceLog(), InMemoryTarget(), InMemoryOffsetLog(position: .token("0")))
        let first = Runner.start(sources, target, log, clock: ImmediateClock(), leavesForeignRows: true)
        let created = sources.append([Ops.user("1")])
        try await Runner.until("the user created") { log.commits.last == created }
        log.holdCommits(true)
        log.failCommits(after: 1)
        // The create arrives while the delete is applied: buffered when the delete's commit
        // starts, too late to join its batch.
        target.onApply { ops in
            if ops == [.delete(.user, id: "1")] { sources.append([Ops.user("1")]) }
        }
        let deleted = sources.append([.delete(.user, id: "1")])
        try await Runner.until("the delete's commit waits") { log.commitsWaiting == 1 }
        log.holdCommits(false)
        await #expect(throws: CrashPoint.self) { try await first.value }
        #expect(try log.position() == deleted, "the create's commit failed")
        #expect(target.contents.users == ["1": true], "the target has the created user")

        try await Self.restartAndDeactivate(sources, target, log)
        #expect(log.ledger == [LedgerEntry(kind: .user, id: "1")])
    }

    /// Starts the pipeline again after its crash and deactivates user 1: the replay finds the
    /// user scimsync's own, so nothing is quarantined and the deactivation arrives.
    static func restartAndDeactivate(_ sources: SourceLog, _ target: InMemoryTarget, _ log: InMemoryOffsetLog) async throws {
        log.failCommits(false)
        let second = Runner.start(sources, target, log, clock: ImmediateClock(), leavesForeignRows: true)
        defer { second.cancel() }
        let last = sources.append([.deactivate(userID: "1")])
        try await Runner.until("the replay and the next batch committed") { log.commits.last == last }
        #expect(log.quarantined.isEmpty, "\(log.quarantined)")
        #expect(target.contents.users == ["1": false])
    }

    /// A target that stops answering the check is said as one that stops taking writes.
    @Test func aCheckThatWaitsTooLongIsSaid() async throws {
        let (sources, target, log) = (SourceLog(), InMemoryTarget(), InMemoryOffsetLog(position: .token("0")))
        let observer = RecordingObserver()
        var timing = PipelineRunner<ImmediateClock<Duration>>.Timing()
        timing.slowApply = .milliseconds(20)
        let task = Runner.start(
            sources, target, log, clock: ImmediateClock(), observer: observer, timing: timing, leavesForeignRows: true)
        defer { task.cancel() }
        target.hold(true)
        let last = sources.append([Ops.user("1")])
        try await Runner.until("the wait said") { !observer.targetWaits.isEmpty }
        #expect(target.applies.isEmpty, "the check was passed while the target was held")
        target.hold(false)
        try await Runner.until("the batch committed") { log.commits.last == last }
        #expect(observer.targetWaits.last == .some(nil))
    }

    /// Most batches change rows scimsync wrote itself: once created (or seen in the ledger),
    /// a user's later changes read the ledger no more.
    @Test func changesToRowsKnownToBeOwnedReadNoLedger() async throws {
        let (sources, target, log) = (SourceLog(), InMemoryTarget(), InMemoryOffsetLog(position: .token("0")))
        let task = Runner.start(sources, target, log, clock: ImmediateClock(), leavesForeignRows: true)
        defer { task.cancel() }
        let created = sources.append([Ops.user("1")])
        try await Runner.until("the user created") { log.commits.last == created }
        let reads = log.ledgerReads
        sources.append([.deactivate(userID: "1")])
        let last = sources.append([.reactivate(userID: "1")])
        try await Runner.until("the changes committed") { log.commits.last == last }
        #expect(log.ledgerReads == reads)
        #expect(target.contents.users == ["1": true])
    }

    @Test func aMembershipBelongsToItsUser() {
        #expect(ForeignRows.owner(of: .addMember(groupID: "g", userID: "u")) == LedgerEntry(kind: .user, id: "u"))
        #expect(ForeignRows.owner(of: .moveParent(groupID: "g", parentID: "p")) == LedgerEntry(kind: .group, id: "g"))
        let (kept, refused) = ForeignRows.leaving(
            [LedgerEntry(kind: .group, id: "g")], outOf: [.moveParent(groupID: "g", parentID: nil), .patch(.group, id: "g", []), Ops.user("g")])
        #expect(kept == [Ops.user("g")], "a user is not a group of the same id")
        #expect(refused.map(\.kind) == ["Group"], "one record for the group")
    }
}
