import Connectors
import Directory
import PipelineCore
import Testing

@Suite struct PipelineStateMachineTests {
    static let backoff = Backoff(initialDelay: .seconds(1), maximumDelay: .seconds(8), multiplier: 2, jitter: 0)
    static let p1 = SourcePosition.token("1")

    @Test func aFirstLoadThenStreamsFromTheSnapshotPosition() {
        var machine = PipelineStateMachine(backoff: Self.backoff)
        #expect(machine.started(committed: nil) == .load(.firstLoad))
        #expect(machine.state == .loading(.firstLoad))
        #expect(machine.loaded(at: Self.p1) == .stream(from: Self.p1))
        #expect(machine.state == .streaming)
        #expect(machine.streamOpened() == .read)
    }

    @Test func aStoredPositionResumesWithoutLoading() {
        var machine = PipelineStateMachine(backoff: Self.backoff)
        #expect(machine.started(committed: Self.p1) == .stream(from: Self.p1))
        #expect(machine.state == .streaming)
    }

    /// The offset is committed only after the target committed: the only path to `.commit`
    /// is `applied()`; a failed apply waits and applies again.
    @Test func theOffsetIsCommittedOnlyAfterTheTargetApplied() {
        var machine = PipelineStateMachine(backoff: Self.backoff)
        _ = machine.started(committed: Self.p1)
        _ = machine.streamOpened()
        #expect(machine.batchReceived(removalRefusal: nil) == .apply)
        #expect(machine.applyFailed("down", unitRandom: 0.5) == .wait(.seconds(1)))
        #expect(machine.state == .retrying(.target("down"), attempt: 1))
        #expect(machine.waited() == .apply)
        #expect(machine.applyFailed("down", unitRandom: 0.5) == .wait(.seconds(2)))
        #expect(machine.waited() == .apply)
        #expect(machine.applyFailed("down", unitRandom: 0.5) == .wait(.seconds(4)))
        #expect(machine.state == .retrying(.target("down"), attempt: 3))
        #expect(machine.waited() == .apply)
        #expect(machine.applied() == .commit)
        #expect(machine.state == .streaming)
        let p2 = SourcePosition.token("2")
        #expect(machine.committed(p2) == .read)
        #expect(machine.committed == p2)
    }

    @Test func retriesEndWhenTheBackoffAllowsNoMoreAttempts() {
        var machine = PipelineStateMachine(backoff: Backoff(initialDelay: .seconds(1), jitter: 0, maximumAttempts: 2))
        _ = machine.started(committed: Self.p1)
        _ = machine.batchReceived(removalRefusal: nil)
        #expect(machine.applyFailed("x", unitRandom: 0.5) == .wait(.seconds(1)))
        _ = machine.waited()
        #expect(machine.applyFailed("x", unitRandom: 0.5) == .wait(.seconds(2)))
        _ = machine.waited()
        guard case .fail = machine.applyFailed("x", unitRandom: 0.5) else {
            Issue.record("a third failure should stop the pipeline")
            return
        }
        #expect(machine.state.name == "failed")
    }

    @Test func aLostSourceConnectionStreamsAgainFromTheCommittedPosition() {
        var machine = PipelineStateMachine(backoff: Self.backoff)
        _ = machine.started(committed: Self.p1)
        _ = machine.streamOpened()
        #expect(machine.sourceFailed(.unavailable("gone"), unitRandom: 0.5) == .wait(.seconds(1)))
        #expect(machine.state == .retrying(.source("gone"), attempt: 1))
        #expect(machine.waited() == .stream(from: Self.p1))
        #expect(machine.streamOpened() == .read)
        #expect(machine.state == .streaming)
    }

    /// A load reads the source and writes the target: its failure is told as the load's, not
    /// blamed on the source, and the load runs again.
    @Test func aFailedLoadIsRetriedAsTheLoads() {
        var machine = PipelineStateMachine(backoff: Self.backoff)
        #expect(machine.started(committed: nil) == .load(.firstLoad))
        #expect(machine.loadFailed("the SCIM provider answered POST /Groups with HTTP 307", unitRandom: 0.5) == .wait(.seconds(1)))
        #expect(machine.state == .retrying(.load("the SCIM provider answered POST /Groups with HTTP 307"), attempt: 1))
        #expect(machine.state.description.contains("the load failed"))
        #expect(machine.waited() == .load(.firstLoad))
    }

    @Test func aLostPositionReloads() {
        var machine = PipelineStateMachine(backoff: Self.backoff)
        _ = machine.started(committed: Self.p1)
        #expect(machine.sourceFailed(.positionLost("purged"), unitRandom: 0.5) == .load(.positionLost("purged")))
        #expect(machine.state == .loading(.positionLost("purged")))
    }

    @Test func removalsBeyondTheLimitHoldUntilApprovedThenApplyOnce() {
        var machine = PipelineStateMachine(backoff: Self.backoff)
        _ = machine.started(committed: Self.p1)
        #expect(machine.batchReceived(removalRefusal: "too many") == .waitForApproval("too many"))
        #expect(machine.state == .paused(.removals("too many")))
        #expect(!machine.state.isReady)
        #expect(machine.approved() == .apply)
        #expect(machine.removalsApproved)
        #expect(machine.applied() == .commit)
        #expect(!machine.removalsApproved, "the approval covers one batch")
        #expect(machine.batchReceived(removalRefusal: "again") == .waitForApproval("again"))
    }

    /// An approval of a batch that belongs to a scope (a feed run) covers the scope's later
    /// batches, and ends with the first batch of another scope or of none.
    @Test func anApprovalCoversTheRestOfItsScope() {
        var machine = PipelineStateMachine(backoff: Self.backoff)
        _ = machine.started(committed: Self.p1)
        #expect(machine.batchReceived(removalRefusal: "too many", scope: "feed run 4") == .waitForApproval("too many"))
        #expect(machine.approved() == .apply)
        #expect(machine.applied() == .commit)
        #expect(machine.approvalCovers("feed run 4"))
        #expect(!machine.approvalCovers(nil))
        #expect(machine.batchReceived(removalRefusal: "more of the run", scope: "feed run 4") == .apply)
        #expect(machine.applied() == .commit)
        #expect(machine.batchReceived(removalRefusal: "the next run", scope: "feed run 5") == .waitForApproval("the next run"))
        #expect(!machine.approvalCovers("feed run 4"))
        #expect(machine.approved() == .apply)
        #expect(machine.applied() == .commit)
        #expect(machine.batchReceived(removalRefusal: nil) == .apply)
        #expect(machine.applied() == .commit)
        #expect(machine.batchReceived(removalRefusal: "the run again", scope: "feed run 5") == .waitForApproval("the run again"),
            "a batch of another scope in between ends the approval")
    }

    @Test func aRefusedLoadHoldsThenLoadsAgainOnceApproved() {
        var machine = PipelineStateMachine(backoff: Self.backoff)
        _ = machine.started(committed: Self.p1)
        _ = machine.sourceFailed(.positionLost("purged"), unitRandom: 0.5)
        #expect(machine.loadRefused("too many") == .waitForApproval("too many"))
        #expect(machine.approved() == .load(.positionLost("purged")))
        #expect(machine.state == .loading(.positionLost("purged")))
    }

    @Test func aBrokenMappingPausesThenReconcilesOnceItFits() {
        var machine = PipelineStateMachine(backoff: Self.backoff)
        _ = machine.started(committed: Self.p1)
        _ = machine.streamOpened()
        #expect(machine.mappingBroken("column gone") == .waitForSchemaFix("column gone"))
        #expect(machine.state == .paused(.mapping("column gone")))
        let resync = LoadReason.resync("the source's tables fit the layout again")
        #expect(machine.schemaFixed() == .load(resync))
        #expect(machine.state == .loading(resync))
    }

    @Test func aResyncReloadsFromANewSnapshot() {
        var machine = PipelineStateMachine(backoff: Self.backoff)
        _ = machine.started(committed: Self.p1)
        #expect(machine.resyncNeeded("TRUNCATE TABLE users") == .load(.resync("TRUNCATE TABLE users")))
        #expect(!machine.state.isReady, "a resync is a recovery")
        #expect(machine.fullReadDue("the full pull is due") == .load(.scheduled("the full pull is due")))
        #expect(machine.state.isReady, "a scheduled full read is how the source is followed")
        #expect(machine.state.name == "reconciling")
        #expect(machine.state.description == "reconciling (the full pull is due)")
        #expect(machine.loaded(at: .token("9")) == .stream(from: .token("9")))
    }

    @Test func aPartIsAppliedButItsPositionIsNotCommitted() {
        var machine = PipelineStateMachine(backoff: Self.backoff)
        _ = machine.started(committed: Self.p1)
        _ = machine.batchReceived(removalRefusal: nil)
        _ = machine.applied()
        #expect(machine.committed(nil) == .read)
        #expect(machine.committed == Self.p1)
    }
}

@Suite struct BackoffTests {
    @Test func growsExponentiallyUpToTheCap() {
        let backoff = Backoff(initialDelay: .seconds(1), maximumDelay: .seconds(10), multiplier: 2, jitter: 0.5)
        let delays = (1...6).map { backoff.delay(beforeAttempt: $0, unitRandom: 0.5) }
        #expect(delays == [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(10), .seconds(10)])
        #expect(backoff.delay(beforeAttempt: 2, unitRandom: 0) == .seconds(1))
        #expect(backoff.delay(beforeAttempt: 20, unitRandom: 0.99) == .seconds(10))
        #expect(backoff.delay(beforeAttempt: 1_000_000, unitRandom: 0.5) == .seconds(10))
    }

    @Test func attemptsAreBoundedOnlyWhenAsked() {
        #expect(Backoff().allows(attempt: 1_000))
        #expect(Backoff(maximumAttempts: 3).allows(attempt: 3))
        #expect(!Backoff(maximumAttempts: 3).allows(attempt: 4))
    }
}

@Suite struct RemovalGuardTests {
    static func deletes(_ count: Int, from start: Int = 0) -> [ResourceOp] {
        (start..<start + count).map { .delete(.user, id: "\($0)") }
    }

    @Test func aShareOfTheTargetWithAFloor() {
        var guardrail = RemovalGuard(limit: .percent(10), population: 200)
        #expect(guardrail.allowed == 20)
        #expect(guardrail.refusal(Self.deletes(20), at: .zero) == nil)
        #expect(guardrail.refusal(Self.deletes(21), at: .zero)?.contains("reconcile.maxRemovals") == true)
        var small = RemovalGuard(limit: .percent(10), population: 8)
        #expect(small.allowed == 5)
        #expect(small.refusal(Self.deletes(1), at: .zero) == nil)
        #expect(small.refusal(Self.deletes(6), at: .zero) != nil)
    }

    @Test func removalsAddUpWithinTheWindow() {
        var guardrail = RemovalGuard(limit: .count(10), population: 1_000, window: .seconds(300))
        for second in 0..<10 {
            #expect(guardrail.refusal(Self.deletes(1, from: second), at: .seconds(second)) == nil)
            guardrail.applied(Self.deletes(1, from: second), at: .seconds(second))
        }
        let refusal = guardrail.refusal(Self.deletes(1, from: 10), at: .seconds(10))
        #expect(refusal?.contains("11 within 5 minutes") == true, "\(refusal ?? "")")
        #expect(guardrail.refusal(Self.deletes(1, from: 10), at: .seconds(400)) == nil, "the window moved on")
    }

    @Test func churnIsNoMassRemovalAndAHundredPercentIsNoLimit() {
        var guardrail = RemovalGuard(limit: .count(5), population: 20)
        let churn = Self.deletes(8) + (0..<8).map { Ops.user("new\($0)") }
        #expect(guardrail.refusal(churn, at: .zero) == nil, "as many joined as left")
        guardrail.applied(churn, at: .zero)
        #expect(guardrail.refusal(Self.deletes(6, from: 100), at: .seconds(1)) != nil, "a net loss of 6 is more than 5")
        var off = RemovalGuard(limit: .percent(100), population: 3)
        #expect(off.refusal(Self.deletes(50), at: .zero) == nil)
    }

    /// A source whose creates overwrite what the target may have (an event callback's user as
    /// it is now, a poll's resources): a burst of them makes no room for removals, and does
    /// not grow the population either.
    @Test func upsertsMakeNoRoomForRemovals() {
        var guardrail = RemovalGuard(limit: .count(5), population: 22)
        let updates = (0..<23).map { Ops.user("u\($0)") }
        #expect(guardrail.refusal(updates, at: .zero, creationsCount: false) == nil)
        guardrail.applied(updates, at: .zero, creationsCount: false)
        #expect(guardrail.population == 22)
        for second in 0..<5 {
            #expect(guardrail.refusal(Self.deletes(1, from: second), at: .seconds(second + 1), creationsCount: false) == nil)
            guardrail.applied(Self.deletes(1, from: second), at: .seconds(second + 1), creationsCount: false)
        }
        #expect(guardrail.refusal(Self.deletes(1, from: 5), at: .seconds(6), creationsCount: false) != nil, "the 6th removal")
    }

    @Test func deactivationsCountAndCreationsGrowThePopulation() {
        #expect(RemovalGuard.removals(in: [.deactivate(userID: "1"), .delete(.group, id: "g"), .removeMember(groupID: "g", userID: "1")]) == 2)
        var guardrail = RemovalGuard(limit: .percent(50), population: 10)
        guardrail.applied([Ops.user("a"), Ops.user("b")], at: .zero)
        #expect(guardrail.population == 12)
        #expect(guardrail.allowed == 6)
    }
}
