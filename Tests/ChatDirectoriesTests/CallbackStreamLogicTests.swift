import ChatDirectories
import Connectors
import Directory
import Logging
import Reconcile
import SCIM
import Synchronization
import Testing
import TestSupport

/// A platform held in memory, for the stream's logic without a simulator: users with their
/// departments, departments with their parents, and calls that fail as told.
final class FakeObjects: PlatformObjects {
    struct State {
        var users: [String: [String]] = [:]
        var departments: [String: String?] = [:]
        var failuresLeft = 0
        var calls = 0
        /// Users the platform refuses as outside the app's visible range.
        var outOfRange: Set<String> = []
    }

    let state = Mutex(State())
    var platform: String { "Fake" }

    func user(_ id: String) async throws -> FetchedObject<FetchedUser> {
        try state.withLock { state in
            state.calls += 1
            if state.failuresLeft > 0 {
                state.failuresLeft -= 1
                throw SourceFailure.unavailable("the fake platform is down")
            }
            if state.outOfRange.contains(id) { return .outOfRange }
            guard let departments = state.users[id] else { return .gone }
            let resource = SCIMResource(["id": .string(id), "userName": .string(id)])
            return .found(FetchedUser(entry: DirectoryEntry(id: id, resource: resource), departments: departments))
        }
    }

    func department(_ id: String) async throws -> FetchedObject<DirectoryEntry> {
        state.withLock { state in
            state.calls += 1
            guard let parent = state.departments[id] else { return .gone }
            let resource = SCIMResource(["id": .string(id), "displayName": .string(id)])
            return .found(DirectoryEntry(id: id, resource: resource, parentID: parent))
        }
    }
}

/// ``CallbackStream`` and ``CallbackInbox`` without servers: what each event becomes, the
/// position batches carry, duplicates, overflow, the full-read timer, retries, `stop()`.
@Suite struct CallbackStreamLogicTests {
    static let position = FullReadPosition.at("fake", secondsSince1970: 1_764_800_000)
    static let quickRetry = LimitRetry(
        backoff: Backoff(initialDelay: .milliseconds(10), maximumDelay: .milliseconds(50)), maximumAttempts: 3)

    static func stream(
        _ objects: FakeObjects, _ inbox: CallbackInbox, onDelete: DeletePolicy = .deactivate, readNow: Bool = false
    ) -> CallbackStream {
        CallbackStream(
            position: position, interval: .seconds(3600), readNow: readNow, objects: objects,
            wiring: CallbackWiring(inbox: inbox, onDelete: onDelete, pipeline: "p", targetReader: nil, fetchRetry: quickRetry),
            logger: Logger(label: "test"))
    }

    static func event(_ id: String, _ change: PlatformEvent.Change, _ subjects: PlatformEvent.Subject...) -> PlatformEvent {
        PlatformEvent(id: id, type: "test", change: change, subjects: subjects)
    }

    /// The ops of the next event, which must be a batch at the stream's position.
    static func nextOps(_ stream: CallbackStream) async throws -> [ResourceOp] {
        guard case .batch(let batch)? = try await stream.next() else { throw Unexpected("a batch was expected") }
        #expect(batch.position == position && batch.endsTransaction)
        return batch.ops
    }

    static func userCreate(_ id: String) -> ResourceOp {
        .create(.user, SCIMResource(["id": .string(id), "userName": .string(id)]))
    }

    @Test func eventsBecomeTheOpsOfWhatTheirSubjectsAreNow() async throws {
        let objects = FakeObjects()
        objects.state.withLock {
            $0.users["u1"] = ["a", "b"]
            $0.departments["a"] = .some(nil)
            $0.departments["b"] = "a"
        }
        let inbox = CallbackInbox()
        let stream = Self.stream(objects, inbox)

        inbox.deliver([Self.event("e1", .upserted, .user("u1"))])
        // No target reader: the user's old memberships are unknown, so only additions; the
        // source maps no `active`, so a user back after a deactivation is reactivated.
        #expect(try await Self.nextOps(stream) == [
            Self.userCreate("u1"), .reactivate(userID: "u1"), .addMember(groupID: "a", userID: "u1"),
            .addMember(groupID: "b", userID: "u1"),
        ])

        // Moved from a to c: the stream's own record gives what to remove.
        objects.state.withLock { $0.users["u1"] = ["b", "c"] }
        inbox.deliver([Self.event("e2", .upserted, .user("u1")), Self.event("e3", .upserted, .department("b"))])
        // Removals come first in a batch (ResourceOp.ordered).
        #expect(try await Self.nextOps(stream) == [
            .removeMember(groupID: "a", userID: "u1"), Self.userCreate("u1"), .reactivate(userID: "u1"),
            .addMember(groupID: "c", userID: "u1"),
        ])
        // The second event of the round was fetched with the first: buffered.
        #expect(try await eventually { inbox.queued == 0 })
        var buffered: SourceEvent?
        #expect(try await eventually {
            buffered = try await stream.nextBuffered()
            return buffered != nil
        })
        guard case .batch(let department)? = buffered else { throw Unexpected("a buffered batch was expected") }
        // With the departments above it, as the platform has them now.
        #expect(Set(department.ops) == [
            .create(.group, SCIMResource(["id": "b", "displayName": "b"])), .moveParent(groupID: "b", parentID: "a"),
            .create(.group, SCIMResource(["id": "a", "displayName": "a"])), .moveParent(groupID: "a", parentID: nil),
        ])

        // A removal the platform does not confirm (the event came late, after the user came
        // back) leaves the user as the platform has it.
        inbox.deliver([Self.event("e4", .removed, .user("u1"))])
        #expect(try await Self.nextOps(stream) == [Self.userCreate("u1"), .reactivate(userID: "u1")])

        // Removed: its memberships go, then the user is deactivated (onDelete: deactivate).
        objects.state.withLock { $0.users["u1"] = nil }
        inbox.deliver([Self.event("e5", .removed, .user("u1"))])
        let removal = try await Self.nextOps(stream)
        #expect(Set(removal.prefix(2)) == [.removeMember(groupID: "b", userID: "u1"), .removeMember(groupID: "c", userID: "u1")])
        #expect(removal.last == .deactivate(userID: "u1") && removal.count == 3)

        // Gone when fetched is removed too; a department gone is deleted.
        inbox.deliver([Self.event("e6", .upserted, .user("ghost"), .department("gone"))])
        #expect(Set(try await Self.nextOps(stream)) == [.deactivate(userID: "ghost"), .delete(.group, id: "gone")])
    }

    /// Nobody reads the stream (a paused pipeline): the batches ready stop growing at their
    /// limit, the events wait in the inbox, and its bound turns the backlog into a full read
    /// instead of memory.
    @Test func aBacklogNobodyReadsBecomesAFullRead() async throws {
        let objects = FakeObjects()
        let users = CallbackStream.readyLimit + 400
        objects.state.withLock { state in for index in 0..<users { state.users["u\(index)"] = [] } }
        let inbox = CallbackInbox(capacity: 50)
        let stream = Self.stream(objects, inbox)
        var sent = 0
        let limit = CallbackStream.readyLimit
        while sent < users, inbox.overflows == 0 {
            inbox.deliver((sent..<min(sent + 40, users)).map { Self.event("e\($0)", .upserted, .user("u\($0)")) })
            sent += 40
            // Taken by the stream's task, unless the ready batches are at their limit.
            #expect(try await eventually { inbox.queued == 0 || stream.readyBatches >= limit })
        }
        #expect(inbox.overflows == 1, "sent \(sent) events")
        #expect(stream.readyBatches == limit)
        // What was fetched is still handed out, then the full read.
        var batches = 0
        while true {
            let next = try await stream.next()
            if case .batch? = next { batches += 1; continue }
            guard case .resyncNeeded? = next else { throw Unexpected("a full read was expected: \(String(describing: next))") }
            break
        }
        #expect(batches >= limit && batches < sent)
        await stream.stop()
    }

    /// 5 was below 4; on the platform 5 moved to the root and then 4 under 5, and only 4's
    /// event arrives. Moving 4 alone would make 4 and 5 each other's parent in the target: the
    /// departments above 4 are written as the platform has them too.
    @Test func aDepartmentsMoveBringsItsPathToTheRoot() async throws {
        let objects = FakeObjects()
        objects.state.withLock {
            $0.departments["3"] = .some(nil)
            $0.departments["5"] = .some(nil)
            $0.departments["4"] = "5"
        }
        let inbox = CallbackInbox()
        let stream = Self.stream(objects, inbox)
        inbox.deliver([Self.event("e1", .upserted, .department("4"))])
        let ops = try await Self.nextOps(stream)
        #expect(ops.contains(.moveParent(groupID: "4", parentID: "5")))
        #expect(ops.contains(.moveParent(groupID: "5", parentID: nil)))
        #expect(ops.filter { if case .moveParent = $0 { true } else { false } }.count == 2)
        await stream.stop()
    }

    /// A target that holds these users, with no memberships.
    final class HeldUsers: ReconcileTargetReader, Sendable {
        let users: Set<String>
        let groups: Set<String>
        init(_ users: Set<String>, groups: Set<String> = []) {
            self.users = users
            self.groups = groups
        }
        func idOrders(source: SourceIDTypes, pipeline: String) throws -> IDOrders { IDOrders(sameAs: source) }
        func isEmpty() throws -> Bool { users.isEmpty }
        func entries(_ kind: ResourceKind, chunkSize: Int, order: IDOrder) throws -> ClosureChunks<DirectoryEntry> { chunks([], 1) }
        func parents(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<(id: String, parent: String?)> { chunks([], 1) }
        func memberships(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<Membership> { chunks([], 1) }
        func existingUserIDs(_ ids: [String]) throws -> Set<String> { users.intersection(ids) }
        func existingGroupIDs(_ ids: [String]) throws -> Set<String>? { groups.intersection(ids) }
        func name(_ kind: ResourceKind) -> String { "held users" }
        var membershipsName: String { "held users' memberships" }
    }

    /// A removal of a user the platform no longer has and the target never held changes
    /// nothing, and counts as no removal against the limit: six such events would otherwise
    /// hold the pipeline.
    @Test func aRemovalOfAUserTheTargetNeverHeldIsNoOperation() async throws {
        let inbox = CallbackInbox()
        let held = HeldUsers(["u1"])
        let stream = CallbackStream(
            position: Self.position, interval: .seconds(3600), readNow: false, objects: FakeObjects(),
            wiring: CallbackWiring(
                inbox: inbox, onDelete: .deactivate, pipeline: "p", targetReader: { held }, fetchRetry: Self.quickRetry),
            logger: Logger(label: "test"))
        inbox.deliver([Self.event("e1", .removed, .user("never")), Self.event("e2", .removed, .user("u1"))])
        #expect(try await Self.nextOps(stream) == [.deactivate(userID: "u1")])
        #expect(try await stream.nextBuffered() == nil)
        await stream.stop()
    }

    /// A department the target never held makes no removal either.
    @Test func aRemovalOfADepartmentTheTargetNeverHeldIsNoOperation() async throws {
        let inbox = CallbackInbox()
        let held = HeldUsers([], groups: ["d1"])
        let stream = CallbackStream(
            position: Self.position, interval: .seconds(3600), readNow: false, objects: FakeObjects(),
            wiring: CallbackWiring(
                inbox: inbox, onDelete: .deactivate, pipeline: "p", targetReader: { held }, fetchRetry: Self.quickRetry),
            logger: Logger(label: "test"))
        inbox.deliver([Self.event("e1", .removed, .department("never")), Self.event("e2", .removed, .department("d1"))])
        #expect(try await Self.nextOps(stream) == [.delete(.group, id: "d1")])
        #expect(try await stream.nextBuffered() == nil)
        await stream.stop()
    }

    @Test func onDeleteDeleteDeletesTheUser() async throws {
        let inbox = CallbackInbox()
        let stream = Self.stream(FakeObjects(), inbox, onDelete: .delete)
        inbox.deliver([Self.event("e1", .removed, .user("u9"))])
        #expect(try await Self.nextOps(stream) == [.delete(.user, id: "u9")])
    }

    @Test func duplicatesAreDroppedWithinTheWindow() async throws {
        let inbox = CallbackInbox(capacity: 100, deduplicationWindow: 2)
        let first = inbox.deliver([Self.event("a", .removed, .user("u1")), Self.event("a", .removed, .user("u1"))])
        #expect(first == CallbackDelivery(queued: 1, duplicates: 1))
        let second = inbox.deliver([Self.event("b", .removed, .user("u1")), Self.event("a", .removed, .user("u1"))])
        #expect(second == CallbackDelivery(queued: 1, duplicates: 1))
        #expect(inbox.duplicates == 2 && inbox.queued == 2)
        // Two newer ids push `a` out of the window: delivered again, it is queued again.
        inbox.deliver([Self.event("c", .removed, .user("u1")), Self.event("a", .removed, .user("u1"))])
        #expect(inbox.duplicates == 2 && inbox.queued == 4 && inbox.delivered == 4)
    }

    @Test func anOverflowDropsTheQueueForAFullRead() async throws {
        let inbox = CallbackInbox(capacity: 2)
        let delivery = inbox.deliver((1...4).map { Self.event("e\($0)", .removed, .user("u\($0)")) })
        // Two queued, then the third overflows: all are left to the full read, the fourth too.
        #expect(delivery == CallbackDelivery(queued: 2, fullRead: 2))
        #expect(inbox.overflows == 1 && inbox.queued == 0)
        let stream = Self.stream(FakeObjects(), inbox)
        guard case .resyncNeeded(let reason, let position)? = try await stream.next() else {
            throw Unexpected("an overflow should ask for a full read")
        }
        #expect(reason.contains("more than 2") && position == Self.position, "\(reason)")
        // After the overflow, the inbox queues again.
        inbox.deliver([Self.event("e5", .removed, .user("u5"))])
        #expect(try await Self.nextOps(stream) == [.deactivate(userID: "u5")])
    }

    @Test func aStreamOpenedBeforeAnyReadAsksForOneAtOnce() async throws {
        let stream = Self.stream(FakeObjects(), CallbackInbox(), readNow: true)
        // A scheduled read: the pipeline stays ready while it runs.
        guard case .fullReadDue(let reason, _)? = try await stream.next() else { throw Unexpected("a full read was expected") }
        #expect(reason == "the full read is due")
    }

    @Test func aTransientFailureIsRetriedThenGivenUpForAFullRead() async throws {
        let objects = FakeObjects()
        objects.state.withLock {
            $0.users["u1"] = []
            $0.failuresLeft = 2
        }
        let inbox = CallbackInbox()
        let stream = Self.stream(objects, inbox)
        inbox.deliver([Self.event("e1", .upserted, .user("u1"))])
        // Two failures, then the third attempt works.
        #expect(try await Self.nextOps(stream).first == Self.userCreate("u1"))
        #expect(objects.state.withLock { $0.calls } == 3)

        objects.state.withLock { $0.failuresLeft = 100 }
        inbox.deliver([Self.event("e2", .upserted, .user("u1")), Self.event("e3", .upserted, .user("u1"))])
        guard case .resyncNeeded(let reason, _)? = try await stream.next() else {
            throw Unexpected("a fetch that keeps failing should ask for a full read")
        }
        #expect(reason.contains("failed 3 times") && reason.contains("user u1"), "\(reason)")
        // The round's other event was dropped with it: the full read covers it.
        #expect(objects.state.withLock { $0.calls } == 6)
        #expect(inbox.queued == 0)
    }

    /// Outside the app's range may be a range narrowed by mistake: not removed by the event,
    /// but by a full read, under its removal limit.
    @Test func aSubjectOutsideTheVisibleRangeAsksForAFullRead() async throws {
        let objects = FakeObjects()
        objects.state.withLock { $0.outOfRange = ["hidden"] }
        let inbox = CallbackInbox()
        let stream = Self.stream(objects, inbox)
        inbox.deliver([Self.event("e1", .upserted, .user("hidden"))])
        guard case .resyncNeeded(let reason, _)? = try await stream.next() else {
            throw Unexpected("a subject outside the range should ask for a full read")
        }
        #expect(reason.contains("user hidden is outside the app's visible range"), "\(reason)")
        #expect(try await stream.nextBuffered() == nil, "nothing is applied for it")
    }

    @Test func stopEndsAWaitingNext() async throws {
        // `stop()` is called from another task than the one reading, as the pipeline does.
        nonisolated(unsafe) let stream = Self.stream(FakeObjects(), CallbackInbox())
        let waiting = Task { try await stream.next() }
        await stream.stop()
        let ended = try await waiting.value
        #expect(ended == nil)
    }
}
