import Directory
import Foundation
import Reconcile
import SCIM
import Testing

/// How a pass reads: the plan's repairs applied without comparing a second time when they fit
/// their budget (and compared again when they do not, to the same end), no ledger look-up for
/// rows equal on both sides, and both sides read ahead on threads of their own without a
/// reader ever used by two threads at once.
@Suite struct ReconcilePassReadingTests {
    static let layout = DirectoryLayout(
        users: ReconcilePassTests.layout.users, membership: MembershipTable(table: "members", user: "user_id", group: "group_id"))

    static func pass(_ ledger: any LedgerStore, limit: RemovalSafety.Limit = .count(100)) -> ReconcilePass {
        ReconcilePass(
            .init(pipeline: "p", source: layout, target: layout, onDelete: .delete, adopt: false, removalLimit: limit),
            ledger: ledger)
    }

    static func user(_ number: Int, _ given: String = "Ann") -> DirectoryEntry {
        ReconcilePassTests.user(String(number), given)
    }

    /// 60 users in the source, each in one or two groups. The target has them all but the
    /// first 5 (missing), with 5 renamed, 5 extra owned users, and memberships drifted both ways.
    static func drifted(readsAhead: Bool) -> (source: ReadingSource, target: ReadingTarget, ledger: CountingLedger) {
        let users = (1...60).map { user($0) }
        var memberships: [Membership] = []
        for number in 1...60 {
            memberships.append(Membership(groupID: "g\(number % 4)", userID: String(number)))
            if number % 3 == 0 { memberships.append(Membership(groupID: "g9", userID: String(number))) }
        }
        let source = ReadingSource(users: users, memberships: memberships, readsAhead: readsAhead)
        var targetUsers = Array(users[5...])
        for index in 0..<5 { targetUsers[index * 7] = user(Int(targetUsers[index * 7].id)!, "Drifted") }
        targetUsers += (100..<105).map { user($0) }
        var targetMemberships = memberships.filter { membership in
            let number = Int(membership.userID) ?? 0
            return number > 5 && number % 11 != 0
        }
        targetMemberships += (20..<30).map { Membership(groupID: "g7", userID: String($0)) }
        let target = ReadingTarget(users: targetUsers, memberships: targetMemberships, readsAhead: readsAhead)
        // Users 40 to 59 are not scimsync's: their membership drift is reported, left alone, and
        // their presence in the target is asked of the target while its memberships are read.
        let ledger = CountingLedger(targetUsers.map(\.id).filter { !(40..<60).contains(Int($0)!) })
        return (source, target, ledger)
    }

    static func run(
        _ source: ReadingSource, _ target: ReadingTarget, _ ledger: CountingLedger, options: ReconcileOptions
    ) async throws -> ReconcileOutcome {
        try await pass(ledger).run(
            sourceReader: source, sourceTypes: .scim, targetReader: target,
            apply: { ops in
                target.apply(ops)
                return RepairsApplied(ops)
            }, options: options)
    }

    @Test func aPlanWithinItsBudgetIsAppliedWithoutComparingAgainAndEndsAsComparingAgainDoes() async throws {
        var outcomes: [DriftReport] = []
        var finals: [[String]] = []
        for budget in [64 << 20, 0] {
            let (source, target, ledger) = Self.drifted(readsAhead: false)
            let outcome = try await Self.run(source, target, ledger, options: ReconcileOptions(chunkSize: 4, keptRepairsBytes: budget))
            guard case .repaired(let report) = outcome else { Issue.record("expected repairs, got \(outcome)"); return }
            #expect(target.userScans == (budget == 0 ? 2 : 1), "budget \(budget)")
            #expect(target.membershipScans == (budget == 0 ? 2 : 1), "budget \(budget)")
            outcomes.append(report)
            finals.append(target.state)
            guard case .clean = try await Self.run(source, target, ledger, options: ReconcileOptions(chunkSize: 4)) else {
                Issue.record("drift left after the repairs (budget \(budget))")
                return
            }
        }
        #expect(outcomes[0] == outcomes[1], "the report is the same either way")
        #expect(finals[0] == finals[1], "and so is the target")
        #expect(outcomes[0].repairs[.createUser] == 5)
        #expect(outcomes[0].repairs[.patchUser] == 5)
        #expect(outcomes[0].repairs[.deleteUser] == 5)
        #expect(outcomes[0].unmanaged["Membership"] ?? 0 > 0, "the drift of users who are not scimsync's is left alone")
    }

    @Test func aPlanOverItsBudgetIsKeptNoneOfAndStillRepairsEverything() async throws {
        // A budget for about one chunk: the plan drops what it kept and the pass compares again.
        let (source, target, ledger) = Self.drifted(readsAhead: false)
        let outcome = try await Self.run(source, target, ledger, options: ReconcileOptions(chunkSize: 4, keptRepairsBytes: 600))
        guard case .repaired = outcome else { Issue.record("expected repairs, got \(outcome)"); return }
        #expect(target.userScans == 2)
        guard case .clean = try await Self.run(source, target, ledger, options: ReconcileOptions(chunkSize: 4)) else {
            Issue.record("drift left after the repairs")
            return
        }
    }

    @Test func removalsOverTheLimitAcrossManyChunksApplyNothingThoughThePlanKeptTheRepairs() async throws {
        let users = (1...10).map { Self.user($0) }
        let ledger = CountingLedger(users.map(\.id))
        let target = ReadingTarget(users: users, memberships: [], readsAhead: true)
        // 3 of 10 leave, one per chunk of 2 (more than a count of 2), and one is renamed.
        let source = ReadingSource(
            users: [Self.user(1, "Zoe")] + users[1...].filter { ![4, 7, 10].contains(Int($0.id)!) }, memberships: [], readsAhead: true)
        var applied: [ResourceOp] = []
        let outcome = try await Self.pass(ledger, limit: .count(2)).run(
            sourceReader: source, sourceTypes: .scim, targetReader: target,
            apply: { ops in
                applied += ops
                return RepairsApplied(ops)
            }, options: ReconcileOptions(chunkSize: 2))
        guard case .refused(let plan, _) = outcome else { Issue.record("expected a refusal, got \(outcome)"); return }
        #expect(plan.removals == 3)
        #expect(applied.isEmpty, "nothing applied, not even the rename")
        #expect(target.userScans == 1)
    }

    @Test func rowsEqualOnBothSidesAskTheLedgerNothing() async throws {
        let users = (1...30).map { Self.user($0) }
        let ledger = CountingLedger(users.map(\.id))
        let target = ReadingTarget(users: users, memberships: [], readsAhead: true)
        let outcome = try await Self.run(
            ReadingSource(users: users, memberships: [], readsAhead: true), target, ledger, options: ReconcileOptions(chunkSize: 4))
        guard case .clean(let report) = outcome else { Issue.record("expected clean, got \(outcome)"); return }
        #expect(report.sourceUsers == 30 && report.targetUsers == 30)
        #expect(ledger.askedIDs == 0)
    }

    @Test func readingAheadDecidesAsReadingInPlaceWithEachReaderUsedByOneThreadAtATime() async throws {
        var reports: [DriftReport] = []
        var finals: [[String]] = []
        for readsAhead in [false, true] {
            let (source, target, ledger) = Self.drifted(readsAhead: readsAhead)
            let outcome = try await Self.run(source, target, ledger, options: ReconcileOptions(chunkSize: 3))
            guard case .repaired(let report) = outcome else { Issue.record("expected repairs, got \(outcome)"); return }
            reports.append(report)
            finals.append(target.state)
            #expect(source.overlaps == 0 && target.overlaps == 0, "a reader was used by two threads at once")
            #expect(target.existenceQueries > 0, "the users who are not scimsync's were looked up in the target")
            let readers = source.threads.union(target.threads)
            #expect(readers.contains { $0.hasPrefix("reconcile.") } == readsAhead, "read ahead: \(readers)")
        }
        #expect(reports[0] == reports[1])
        #expect(finals[0] == finals[1])
    }

    @Test func aSideOutOfOrderStopsAPassReadingAhead() async throws {
        let users = (1...20).map { Self.user($0) }
        let target = ReadingTarget(users: users, memberships: [], readsAhead: true, unsorted: true)
        await #expect(throws: MergeJoinError.self) {
            _ = try await Self.run(
                ReadingSource(users: users, memberships: [], readsAhead: true), target, CountingLedger([]),
                options: ReconcileOptions(chunkSize: 4))
        }
    }
}

/// Counts what the pass asks the ledger.
final class CountingLedger: LedgerStore {
    let ledger: MemoryLedger
    private(set) var askedIDs = 0

    init(_ userIDs: [String]) {
        ledger = MemoryLedger(userIDs.map { LedgerEntry(kind: .user, id: $0) })
    }

    func owned(_ ids: [String], kind: ResourceKind) throws -> Set<String> {
        askedIDs += ids.count
        return try ledger.owned(ids, kind: kind)
    }

    func updateLedger(added: [LedgerEntry], removed: [LedgerEntry]) throws { try ledger.updateLedger(added: added, removed: removed) }
    func hold() throws -> ReconcileHold? { try ledger.hold() }
    func setHold(reason: String) throws { try ledger.setHold(reason: reason) }
    func clearHold() throws { try ledger.clearHold() }
    func startRun() throws -> Int64 { try ledger.startRun() }
    func finishRun(_ id: Int64, ops: [String: Int], error: String?) throws { try ledger.finishRun(id, ops: ops, error: error) }
}

/// What a reader notes of the threads that use it: which, and whether two at once.
final class ReaderUse: @unchecked Sendable {
    private let lock = NSLock()
    private var inUse = false
    private(set) var overlaps = 0
    private(set) var threads: Set<String> = []

    func during<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        if inUse { overlaps += 1 }
        inUse = true
        threads.insert(Thread.current.name ?? "\(Unmanaged.passUnretained(Thread.current).toOpaque())")
        lock.unlock()
        // Long enough for a thread using the reader at the same time to be caught.
        usleep(200)
        defer {
            lock.lock()
            inUse = false
            lock.unlock()
        }
        return try body()
    }
}

/// Chunks whose every read goes through `use`.
func watchedChunks<Element>(_ elements: [Element], _ size: Int, _ use: ReaderUse) -> ClosureChunks<Element> {
    var inner = chunks(elements, size)
    return ClosureChunks { try use.during { try inner.next() } }
}

/// A source of users and memberships in memory.
final class ReadingSource: ReconcileSourceReader {
    let users: [DirectoryEntry]
    let memberships: [Membership]
    let readsAhead: Bool
    private let use = ReaderUse()
    var overlaps: Int { use.overlaps }
    var threads: Set<String> { use.threads }

    init(users: [DirectoryEntry], memberships: [Membership], readsAhead: Bool) {
        self.users = users.sorted { IDOrder.binary.precedes($0.id, $1.id) }
        self.memberships = memberships.sorted { IDOrder.binary.compare($0, $1) < 0 }
        self.readsAhead = readsAhead
    }

    func entries(_ kind: ResourceKind, chunkSize: Int, order: IDOrder) throws -> ClosureChunks<DirectoryEntry> {
        watchedChunks(kind == .user ? users : [], chunkSize, use)
    }

    func parents(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<(id: String, parent: String?)> { chunks([], chunkSize) }
    func memberships(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<Membership> { watchedChunks(memberships, chunkSize, use) }
    func name(_ kind: ResourceKind) -> String { "memory source" }
    var membershipsName: String { "memory source" }
}

/// A target of users and memberships in memory that applies the pass's operations and
/// counts its scans.
final class ReadingTarget: ReconcileTargetReader {
    private let target: MemoryTarget
    private var memberships: Set<Membership>
    let readsAhead: Bool
    private let unsorted: Bool
    private let use = ReaderUse()
    private(set) var userScans = 0
    private(set) var membershipScans = 0
    private(set) var existenceQueries = 0
    var overlaps: Int { use.overlaps }
    var threads: Set<String> { use.threads }

    init(users: [DirectoryEntry], memberships: [Membership], readsAhead: Bool, unsorted: Bool = false) {
        target = MemoryTarget(users)
        self.memberships = Set(memberships)
        self.readsAhead = readsAhead
        self.unsorted = unsorted
    }

    /// Every user's given name and every membership, sorted: equal states, equal lists.
    var state: [String] {
        target.users.values.map { "\($0.id) \(ReconcileRulesTests.givenName($0) ?? "-")" }.sorted()
            + memberships.map { "\($0.userID) in \($0.groupID)" }.sorted()
    }

    func apply(_ ops: [ResourceOp]) {
        target.apply(ops)
        for op in ops {
            switch op {
            case .addMember(let group, let user): memberships.insert(Membership(groupID: group, userID: user))
            case .removeMember(let group, let user): memberships.remove(Membership(groupID: group, userID: user))
            default: break
            }
        }
    }

    func idOrders(source: SourceIDTypes, pipeline: String) throws -> IDOrders { IDOrders(sameAs: source) }
    func isEmpty() throws -> Bool { try target.isEmpty() }

    func entries(_ kind: ResourceKind, chunkSize: Int, order: IDOrder) throws -> ClosureChunks<DirectoryEntry> {
        if kind == .user { userScans += 1 }
        var users = kind == .user ? target.users.values.sorted { order.precedes($0.id, $1.id) } : []
        if unsorted { users.reverse() }
        return watchedChunks(users, chunkSize, use)
    }

    func parents(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<(id: String, parent: String?)> { chunks([], chunkSize) }

    func memberships(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<Membership> {
        membershipScans += 1
        return watchedChunks(memberships.sorted { order.compare($0, $1) < 0 }, chunkSize, use)
    }

    func existingUserIDs(_ ids: [String]) throws -> Set<String> {
        try use.during {
            existenceQueries += 1
            return try target.existingUserIDs(ids)
        }
    }

    func name(_ kind: ResourceKind) -> String { "memory target" }
    var membershipsName: String { "memory target" }
}
