import Connectors
import Directory
import PipelineCore
import SCIM
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A source's log in memory, as a binlog is: events in order, each at position `.token("n")`
/// (the index after it). Sources opened on it read from a position and wait for more.
final class SourceLog: Sendable {
    enum Entry: Sendable {
        case event(SourceEvent)
        /// Thrown once by the first source that reaches it, then skipped.
        case failure(SourceFailure)
        /// Delivered once, then skipped: what a source reports from the state of the world
        /// rather than from its log (a schema that no longer fits, until it is fixed).
        case once(SourceEvent)
    }

    private struct State {
        var entries: [Entry] = []
        var thrown: Set<Int> = []
        var opened: [SourcePosition] = []
        /// Positions at or below this are "purged": opening there fails with positionLost.
        var purgedThrough = -1
    }

    private let state = Mutex(State())

    /// Appends a batch of `ops` ending a transaction; returns its position.
    @discardableResult
    func append(_ ops: [ResourceOp], endsTransaction: Bool = true, commitTime: Int64? = 1_000) -> SourcePosition {
        let index = count + 1
        let position = SourcePosition.token("\(index)")
        append(.event(.batch(SourceBatch(ops: ops, position: position, endsTransaction: endsTransaction, commitTime: commitTime, rowCount: ops.count))))
        return position
    }

    func append(_ entry: Entry) {
        state.withLock { $0.entries.append(entry) }
    }

    /// Appends `entries` at once: a reader finds them all buffered together.
    func append(contentsOf entries: [Entry]) {
        state.withLock { $0.entries += entries }
    }

    var count: Int { state.withLock { $0.entries.count } }
    var opened: [SourcePosition] { state.withLock { $0.opened } }

    func purge(through index: Int) {
        state.withLock { $0.purgedThrough = index }
    }

    func open(at position: SourcePosition) throws -> InMemorySource {
        let index = Self.index(position)
        let purged = state.withLock { state in
            state.opened.append(position)
            return index <= state.purgedThrough
        }
        if purged { throw SourceFailure.positionLost("position \(index) was purged") }
        return InMemorySource(log: self, from: index)
    }

    static func index(_ position: SourcePosition) -> Int {
        if case .token(let text) = position, let index = Int(text) { return index }
        return 0
    }

    /// The entry at `index` (0-based) if there is one, marking failures thrown.
    fileprivate func entry(at index: Int) -> Entry? {
        state.withLock { state in
            guard index < state.entries.count else { return nil }
            switch state.entries[index] {
            case .failure, .once:
                if state.thrown.contains(index) { return .event(.batch(SourceBatch(ops: [], position: .token("\(index + 1)")))) }
                state.thrown.insert(index)
            case .event:
                break
            }
            return state.entries[index]
        }
    }

}

/// A source reading a ``SourceLog`` from a position.
final class InMemorySource: ChangeSource {
    private let log: SourceLog
    private var next: Int
    private(set) var acknowledged: [SourcePosition] = []

    init(log: SourceLog, from index: Int) {
        self.log = log
        self.next = index
    }

    func next() async throws -> SourceEvent? {
        while true {
            if let event = try take() { return event }
            // Polling keeps the double simple and cancellable (a real source blocks on its socket).
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    func nextBuffered() async throws -> SourceEvent? {
        try take()
    }

    private func take() throws -> SourceEvent? {
        guard let entry = log.entry(at: next) else { return nil }
        next += 1
        switch entry {
        case .event(let event): return event
        case .failure(let failure): throw failure
        case .once(let event): return event
        }
    }

    func acknowledge(_ position: SourcePosition) async {
        acknowledged.append(position)
    }

    func stop() async {}
}

/// A directory target in memory: users, groups and memberships as sets, applying operations
/// idempotently, parking memberships whose group or user is missing, refusing (quarantining) users
/// whose userName is "refused", and failing whole batches while `failuresLeft` > 0.
final class InMemoryTarget: Target, Sendable {
    struct Contents: Sendable, Hashable {
        var users: [String: Bool] = [:]  // id: active
        var groups: Set<String> = []
        var members: Set<String> = []  // "group:user"
    }

    private struct State {
        var contents = Contents()
        var failuresLeft = 0
        var applies: [[ResourceOp]] = []
        var onApply: (@Sendable ([ResourceOp]) throws -> Void)?
        var held = false
    }

    private let state = Mutex(State())

    /// Runs `body` with the operations of every apply, before they are applied; what it
    /// throws, the apply throws.
    func onApply(_ body: @escaping @Sendable ([ResourceOp]) throws -> Void) {
        state.withLock { $0.onApply = body }
    }

    /// Applies wait while held (a frozen server, a provider's long retries).
    func hold(_ held: Bool) {
        state.withLock { $0.held = held }
    }

    init(users: Int = 0) {
        state.withLock { state in
            for id in 0..<users { state.contents.users["seed\(id)"] = true }
        }
    }

    var contents: Contents { state.withLock { $0.contents } }
    var applies: [[ResourceOp]] { state.withLock { $0.applies } }

    func fail(times: Int) {
        state.withLock { $0.failuresLeft = times }
    }

    func apply(_ ops: [ResourceOp]) async throws -> ApplyOutcome {
        while state.withLock({ $0.held }) { try await Task.sleep(for: .milliseconds(1)) }
        try state.withLock { $0.onApply }?(ops)
        return try state.withLock { state in
            if state.failuresLeft > 0 {
                state.failuresLeft -= 1
                throw TargetDown()
            }
            state.applies.append(ops)
            var outcome = ApplyOutcome()
            for op in ops {
                switch op {
                case .create(.user, let resource):
                    if resource.userName == "refused" {
                        outcome.quarantined.append(QuarantinedResource(kind: "User", id: resource.id ?? "", reason: "userName too long"))
                    } else {
                        state.contents.users[resource.id ?? ""] = true
                    }
                case .create(.group, let resource): state.contents.groups.insert(resource.id ?? "")
                case .delete(.user, let id): state.contents.users[id] = nil
                case .delete(.group, let id): state.contents.groups.remove(id)
                case .deactivate(let id): if state.contents.users[id] != nil { state.contents.users[id] = false }
                case .reactivate(let id): if state.contents.users[id] != nil { state.contents.users[id] = true }
                case .addMember(let group, let user):
                    if !state.contents.groups.contains(group) {
                        outcome.parked.append(
                            ParkedOperation(
                                op: op, reason: "addMember waits for Group \(group)", key: op.parkingKey(oneGroupPerUser: false),
                                waitingFor: .group, waitingID: group))
                    } else if state.contents.users[user] == nil {
                        outcome.parked.append(
                            ParkedOperation(
                                op: op, reason: "addMember waits for User \(user)", key: op.parkingKey(oneGroupPerUser: false),
                                waitingFor: .user, waitingID: user))
                    } else {
                        state.contents.members.insert("\(group):\(user)")
                    }
                case .removeMember(let group, let user): state.contents.members.remove("\(group):\(user)")
                case .patch, .moveParent: break
                }
            }
            return outcome
        }
    }

    func resourceCount() async throws -> Int {
        state.withLock { $0.contents.users.count + $0.contents.groups.count }
    }

    /// Written by id, as a SQL table is.
    var mayHoldForeignRows: Bool { true }

    /// Asked which of `entries` it holds (waiting while held, as a frozen database would),
    /// then applies what `vet` keeps.
    func apply<Verdict: Sendable>(
        asking entries: Set<LedgerEntry>,
        vet: @escaping @Sendable (_ held: Set<LedgerEntry>) throws -> Vetted<Verdict>
    ) async throws -> (ops: [ResourceOp], verdict: Verdict, outcome: ApplyOutcome) {
        while state.withLock({ $0.held }) { try await Task.sleep(for: .milliseconds(1)) }
        let held = state.withLock { state in
            entries.filter { $0.kind == .user ? state.contents.users[$0.id] != nil : state.contents.groups.contains($0.id) }
        }
        let vetted = try vet(held)
        try await vetted.beforeCommit?.finished()
        return (vetted.ops, vetted.verdict, vetted.ops.isEmpty ? .applied : try await apply(vetted.ops))
    }

    /// Adds a user or group as someone else than scimsync would (no ledger entry).
    func insertForeign(_ entry: LedgerEntry) {
        state.withLock { state in
            if entry.kind == .user { state.contents.users[entry.id] = true } else { state.contents.groups.insert(entry.id) }
        }
    }
}

struct TargetDown: Error {}

/// The offset store in memory, with a crash point: `failCommits` makes commits throw; and a
/// gate: while `holdCommits` is on, a commit waits (on its own thread, as the offset store's
/// writes block theirs) until it is off again.
final class InMemoryOffsetLog: OffsetLog, Sendable {
    private struct State {
        var position: SourcePosition?
        var commits: [SourcePosition] = []
        var hold: String?
        var approved = false
        var parked: [ParkedOperation] = []
        var quarantined: [String: QuarantinedResource] = [:]
        var failCommits = false
        /// Commits that succeed before the rest fail, when set.
        var commitsBeforeFailing: Int?
        var holdCommits = false
        var commitsWaiting = 0
        var keepsJournal = true
        var journaled: [JournalRecord] = []
        var pausedForMapping: String?
        var ledger: Set<LedgerEntry> = []
        var ledgerReads = 0
    }

    private let state = Mutex(State())

    init(position: SourcePosition? = nil) {
        state.withLock { $0.position = position }
    }

    var commits: [SourcePosition] { state.withLock { $0.commits } }
    var heldReason: String? { state.withLock { $0.hold } }
    var quarantinedIDs: Set<String> { state.withLock { Set($0.quarantined.keys) } }
    var parkedOps: [ResourceOp] { state.withLock { $0.parked.map(\.op) } }
    var ledger: Set<LedgerEntry> { state.withLock { $0.ledger } }
    /// How often the ledger was read.
    var ledgerReads: Int { state.withLock { $0.ledgerReads } }
    var quarantined: [String: QuarantinedResource] { state.withLock { $0.quarantined } }

    func failCommits(_ fail: Bool) {
        state.withLock { state in
            state.failCommits = fail
            state.commitsBeforeFailing = nil
        }
    }
    /// Lets `count` more commits succeed, then fails the rest.
    func failCommits(after count: Int) { state.withLock { $0.commitsBeforeFailing = $0.commits.count + count } }
    func holdCommits(_ hold: Bool) { state.withLock { $0.holdCommits = hold } }
    /// Commits waiting at the gate now.
    var commitsWaiting: Int { state.withLock { $0.commitsWaiting } }
    func keepJournal(_ keep: Bool) { state.withLock { $0.keepsJournal = keep } }
    var keepsJournal: Bool { state.withLock { $0.keepsJournal } }
    /// The journal records committed, in order.
    var journaled: [JournalRecord] { state.withLock { $0.journaled } }

    func commit(
        _ position: SourcePosition, sourceTime: Int64?, applied ops: [ResourceOp], journal: [JournalRecord],
        creationsRecorded: Bool
    ) throws {
        // As the offset store does: recorded creates are not added again, so a create the
        // runner failed to record before applying it would be missing from the ledger.
        try commit(position, sourceTime: sourceTime, applied: creationsRecorded ? ops.filter { $0.createdEntry == nil } : ops)
        state.withLock { $0.journaled += journal }
    }
    func approve() { state.withLock { $0.approved = true } }

    func setPausedForMapping(_ reason: String?) throws { state.withLock { $0.pausedForMapping = reason } }

    func pausedForMapping() throws -> String? { state.withLock { $0.pausedForMapping } }

    func position() throws -> SourcePosition? { state.withLock { $0.position } }

    func commit(_ position: SourcePosition, sourceTime: Int64?, applied ops: [ResourceOp]) throws {
        if state.withLock({ $0.holdCommits }) {
            state.withLock { $0.commitsWaiting += 1 }
            // Bounded, so that a test that never opens the gate fails instead of hanging.
            for _ in 0..<30_000 where state.withLock({ $0.holdCommits }) { usleep(1_000) }
            state.withLock { $0.commitsWaiting -= 1 }
        }
        try state.withLock { state in
            if state.failCommits || state.commitsBeforeFailing.map({ state.commits.count >= $0 }) == true { throw CrashPoint() }
            state.position = position
            state.commits.append(position)
            Self.updateLedger(&state.ledger, ops)
        }
    }

    func record(applied ops: [ResourceOp]) throws {
        state.withLock { Self.updateLedger(&$0.ledger, ops) }
    }

    private static func updateLedger(_ ledger: inout Set<LedgerEntry>, _ ops: [ResourceOp]) {
        for op in ops {
            if let created = op.createdEntry { ledger.insert(created) }
            if let deleted = op.deletedEntry { ledger.remove(deleted) }
        }
    }

    func owned(_ entries: Set<LedgerEntry>) throws -> Set<LedgerEntry> {
        state.withLock { state in
            state.ledgerReads += 1
            return entries.intersection(state.ledger)
        }
    }

    func recordCreated(_ entries: [LedgerEntry]) throws {
        state.withLock { $0.ledger.formUnion(entries) }
    }

    func hold(_ reason: String) throws {
        state.withLock { $0.hold = reason }
    }

    func holdApproved() throws -> Bool { state.withLock { $0.hold != nil && $0.approved } }

    func clearHold() throws {
        state.withLock { state in
            state.hold = nil
            state.approved = false
        }
    }

    func park(_ operations: [ParkedOperation]) throws {
        state.withLock { state in
            for operation in operations {
                state.parked.removeAll { $0.key == operation.key }
                state.parked.append(operation)
            }
        }
    }

    func parked() throws -> [ParkedOperation] { state.withLock { $0.parked } }

    func unpark(_ operations: [ParkedOperation]) throws {
        state.withLock { state in state.parked.removeAll { parked in operations.contains { $0.key == parked.key } } }
    }

    func quarantine(_ resources: [QuarantinedResource], applied ops: [ResourceOp]) throws {
        state.withLock { state in
            for resource in resources { state.quarantined[resource.id] = resource }
        }
    }
}

struct CrashPoint: Error {}

/// Records state changes and failed attempts.
final class RecordingObserver: PipelineObserver {
    private let recorded = Mutex<(states: [PipelineState], failures: [RetryCause], waits: [String?])>(([], [], []))

    var states: [PipelineState] { recorded.withLock { $0.states } }
    var failures: [RetryCause] { recorded.withLock { $0.failures } }
    var targetWaits: [String?] { recorded.withLock { $0.waits } }

    func targetWaiting(_ reason: String?) {
        recorded.withLock { $0.waits.append(reason) }
    }

    func stateChanged(from old: PipelineState, to new: PipelineState) {
        recorded.withLock { $0.states.append(new) }
    }

    func attemptFailed(_ cause: RetryCause, attempt: Int, delay: Duration?) {
        recorded.withLock { $0.failures.append(cause) }
    }
}

enum Ops {
    static func user(_ id: String, userName: String? = nil) -> ResourceOp {
        var resource = SCIMResource()
        resource.id = id
        resource.userName = userName ?? "user\(id)"
        return .create(.user, resource)
    }

    static func group(_ id: String) -> ResourceOp {
        var resource = SCIMResource()
        resource.id = id
        resource.displayName = "group \(id)"
        return .create(.group, resource)
    }
}
