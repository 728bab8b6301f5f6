import Directory
import Reconcile
import SCIM
import Testing

/// The whole pass without a database: in-memory readers, an in-memory target that applies what
/// the pass sends, and an in-memory ledger. Planning before applying, the removal brake and its
/// approval, dry runs, unmanaged rows, and the ledger's order around a commit.
@Suite struct ReconcilePassTests {
    static let layout = DirectoryLayout(
        users: UsersTable(
            table: "users", attributes: ReconcileRulesTests.map([("id", "id"), ("userName", "login"), ("name.givenName", "first")])))

    static func user(_ id: String, _ given: String = "Ann") -> DirectoryEntry {
        ReconcileRulesTests.user(id, given)
    }

    static func pass(_ ledger: MemoryLedger, onDelete: DeletePolicy = .delete, limit: RemovalSafety.Limit = .percent(10))
        -> ReconcilePass
    {
        ReconcilePass(
            .init(pipeline: "p", source: layout, target: layout, onDelete: onDelete, adopt: false, removalLimit: limit),
            ledger: ledger)
    }

    /// Runs one pass of `source` into `target`, applying through the target.
    static func run(
        _ pass: ReconcilePass, source: [DirectoryEntry], target: MemoryTarget, options: ReconcileOptions = ReconcileOptions(),
        skip: @escaping (ResourceOp) -> Bool = { _ in false }, apply: (([ResourceOp]) -> [ResourceOp])? = nil
    ) async throws -> ReconcileOutcome {
        try await pass.run(
            sourceReader: MemorySource(users: source), sourceTypes: .scim, targetReader: target,
            apply: { ops in
                let applied = apply?(ops) ?? ops
                target.apply(applied)
                return RepairsApplied(applied)
            }, skip: skip, options: options)
    }

    @Test func aFirstLoadCreatesEverythingRecordingEachInTheLedgerBeforeItIsApplied() async throws {
        let ledger = MemoryLedger()
        let target = MemoryTarget()
        let outcome = try await Self.run(
            Self.pass(ledger), source: [Self.user("1"), Self.user("2")], target: target,
            apply: { ops in
                // The ledger holds what a batch creates before the batch commits.
                #expect(ops.allSatisfy { op in
                    if case .create(_, let resource) = op { ledger.entries.contains(LedgerEntry(kind: .user, id: resource.id ?? "")) }
                    else { false }
                })
                return ops
            })
        guard case .repaired(let report) = outcome else { Issue.record("expected repairs, got \(outcome)"); return }
        #expect(report.totalRepairs == 2)
        #expect(target.users.keys.sorted() == ["1", "2"])
        #expect(ledger.entries == [LedgerEntry(kind: .user, id: "1"), LedgerEntry(kind: .user, id: "2")])
        #expect(ledger.runs == [["createUser": 2]])
    }

    @Test func onlyWhatScimsyncCreatedIsRemovedAndTheRestIsReportedNotDrift() async throws {
        let ledger = MemoryLedger([LedgerEntry(kind: .user, id: "2")])
        let target = MemoryTarget([Self.user("1", "Bob"), Self.user("2"), Self.user("3")])
        // A count limit of 5: the brake is not what this tests.
        let outcome = try await Self.run(Self.pass(ledger, limit: .count(5)), source: [Self.user("1")], target: target)
        guard case .repaired(let report) = outcome else { Issue.record("expected repairs, got \(outcome)"); return }
        #expect(report.unmanaged["User"] == 2, "1 differs but is not scimsync's; 3 is not scimsync's")
        #expect(target.users["1"].map { ReconcileRulesTests.givenName($0) } == "Bob", "left alone")
        #expect(target.users.keys.sorted() == ["1", "3"], "2 was scimsync's and left the source")
        #expect(ledger.entries.isEmpty, "the deleted row leaves the ledger after its deletion committed")
    }

    @Test func unmanagedRowsAloneAreNoDriftForADryRunEither() async throws {
        let ledger = MemoryLedger()
        let target = MemoryTarget([Self.user("1", "Bob"), Self.user("9")])
        let options = ReconcileOptions(dryRun: true)
        let outcome = try await Self.run(Self.pass(ledger), source: [Self.user("1", "Ann")], target: target, options: options)
        guard case .clean(let report) = outcome else { Issue.record("expected clean, got \(outcome)"); return }
        #expect(report.unmanagedRows == 2)
        #expect(!report.hasDrift)
        #expect(ledger.runs.isEmpty, "a dry run keeps no run record")
    }

    @Test func aDryRunReportsRepairsAndChangesNothing() async throws {
        let ledger = MemoryLedger([LedgerEntry(kind: .user, id: "1")])
        let target = MemoryTarget([Self.user("1", "Bob")])
        let outcome = try await Self.run(
            Self.pass(ledger), source: [Self.user("1", "Ann"), Self.user("2")], target: target,
            options: ReconcileOptions(dryRun: true))
        guard case .dryRun(let report) = outcome else { Issue.record("expected a dry run, got \(outcome)"); return }
        #expect(report.totalRepairs == 2)
        #expect(target.users["1"].map { ReconcileRulesTests.givenName($0) } == "Bob")
        #expect(target.users["2"] == nil)
        #expect(ledger.entries == [LedgerEntry(kind: .user, id: "1")])
    }

    @Test func aPassRemovingBeyondTheLimitAppliesNothingHoldsAndGoesThroughOnceApproved() async throws {
        let managed = (1...10).map { Self.user(String($0)) }
        let ledger = MemoryLedger(managed.map { LedgerEntry(kind: .user, id: $0.id) })
        let target = MemoryTarget(managed)
        // The source lost 6 of 10: 60% against a 10% limit, and more than the 5 a share always
        // lets through. A renamed user rides along.
        let source = [Self.user("1", "Zoe")] + managed[1..<4]
        let refused = try await Self.run(Self.pass(ledger), source: Array(source), target: target)
        guard case .refused(_, let reason) = refused else { Issue.record("expected a refusal, got \(refused)"); return }
        #expect(reason.contains("remove (delete or deactivate) 6 users and groups"))
        #expect(reason.contains("10% of 10, at least 5"))
        #expect(target.users.count == 10, "nothing applied")
        #expect(target.users["1"].map { ReconcileRulesTests.givenName($0) } == "Ann", "not even the rename")
        #expect(ledger.held == ReconcileHold(reason: reason, approved: false))

        ledger.held?.approved = true
        let approved = try await Self.run(Self.pass(ledger), source: Array(source), target: target)
        guard case .repaired = approved else { Issue.record("expected repairs, got \(approved)"); return }
        #expect(target.users.keys.sorted() == ["1", "2", "3", "4"])
        #expect(target.users["1"].map { ReconcileRulesTests.givenName($0) } == "Zoe")
        #expect(ledger.held == nil, "an approval is good for one pass")
    }

    @Test func aShareLetsAHandfulThroughInASmallDirectoryACountDoesNot() async throws {
        let managed = (1...10).map { Self.user(String($0)) }
        // 2 of 10 gone: 20% against a 10% limit, but within the 5 a share always lets through,
        // as the stream does: a small directory's catch-up after a lost position does not hold.
        let ledger = MemoryLedger(managed.map { LedgerEntry(kind: .user, id: $0.id) })
        let target = MemoryTarget(managed)
        let repaired = try await Self.run(Self.pass(ledger), source: Array(managed[0..<8]), target: target)
        guard case .repaired = repaired else { Issue.record("expected repairs, got \(repaired)"); return }
        #expect(target.users.count == 8)

        // A count is taken as given.
        let counted = MemoryTarget(managed)
        let ledgerOfCount = MemoryLedger(managed.map { LedgerEntry(kind: .user, id: $0.id) })
        let refused = try await Self.run(
            Self.pass(ledgerOfCount, limit: .count(1)), source: Array(managed[0..<8]), target: counted)
        guard case .refused(_, let reason) = refused else { Issue.record("expected a refusal, got \(refused)"); return }
        #expect(reason.contains("allows (1)"))
        #expect(counted.users.count == 10)
    }

    @Test func anEmptySourceNeverEmptiesTheTargetWithoutForce() async throws {
        let ledger = MemoryLedger([LedgerEntry(kind: .user, id: "1")])
        let target = MemoryTarget([Self.user("1")])
        let refused = try await Self.run(Self.pass(ledger, limit: .percent(100)), source: [], target: target)
        guard case .refused(_, let reason) = refused else { Issue.record("expected a refusal, got \(refused)"); return }
        #expect(reason.contains("the source reads as empty"))
        let forced = try await Self.run(Self.pass(ledger, limit: .percent(100)), source: [], target: target, options: ReconcileOptions(force: true))
        guard case .repaired = forced else { Issue.record("expected repairs, got \(forced)"); return }
        #expect(target.users.isEmpty)
    }

    @Test func skippedRepairsCountNeitherInThePlanNorAgainstTheLimit() async throws {
        let ledger = MemoryLedger([LedgerEntry(kind: .user, id: "1"), LedgerEntry(kind: .user, id: "2")])
        let target = MemoryTarget([Self.user("1"), Self.user("2")])
        // The stream deleted 1 and 2 after the snapshot: the pass's removals are the stream's already.
        let skipped = try await Self.run(
            Self.pass(ledger, limit: .count(0)), source: [Self.user("1"), Self.user("2"), Self.user("3")], target: target,
            skip: { op in if case .create(_, let resource) = op { resource.id == "3" } else { false } },
            apply: { $0.filter { op in if case .create(_, let resource) = op { resource.id != "3" } else { true } } })
        guard case .clean(let report) = skipped else { Issue.record("expected clean, got \(skipped)"); return }
        #expect(report.totalRepairs == 0)
        #expect(target.users["3"] == nil)
    }

    /// A repair the target refused (quarantined) is not a repair done: the report counts it
    /// apart and says where to look.
    @Test func repairsTheTargetRefusedAreCountedApart() async throws {
        let target = MemoryTarget()
        let outcome = try await Self.pass(MemoryLedger(), limit: .count(5)).run(
            sourceReader: MemorySource(users: [Self.user("1"), Self.user("2")]), sourceTypes: .scim, targetReader: target,
            apply: { ops in
                let carriedOut = ops.filter { op in if case .create(_, let resource) = op { resource.id != "2" } else { true } }
                target.apply(carriedOut)
                return RepairsApplied(carriedOut, refused: ops.count - carriedOut.count)
            }, options: ReconcileOptions())
        guard case .repaired(let report) = outcome else { Issue.record("expected repairs, got \(outcome)"); return }
        #expect(report.totalRepairs == 1)
        #expect(report.notApplied == 1)
        #expect(report.runLogCounts == ["createUser": 1, "notApplied": 1])
        #expect(report.detailLines.contains { $0.hasPrefix("  1 repair not applied: refused by the target (quarantined") })
    }

    @Test func aDeletionTheApplyStepLeftOutStaysInTheLedger() async throws {
        let ledger = MemoryLedger([LedgerEntry(kind: .user, id: "1"), LedgerEntry(kind: .user, id: "2")])
        let target = MemoryTarget([Self.user("1"), Self.user("2")])
        _ = try await Self.run(
            Self.pass(ledger, limit: .count(5)), source: [Self.user("3")], target: target,
            apply: { $0.filter { op in if case .delete(_, "2") = op { false } else { true } } })
        #expect(target.users.keys.sorted() == ["2", "3"])
        #expect(ledger.entries == [LedgerEntry(kind: .user, id: "2"), LedgerEntry(kind: .user, id: "3")])
    }

    @Test func deactivationInsteadOfDeletionUnderDeactivate() async throws {
        let activeLayout = DirectoryLayout(
            users: UsersTable(
                table: "users",
                attributes: ReconcileRulesTests.map([("id", "id"), ("userName", "login"), ("name.givenName", "first"), ("active", "on")])))
        let ledger = MemoryLedger([LedgerEntry(kind: .user, id: "1")])
        var entry = Self.user("1")
        entry.resource.attributes["active"] = .bool(true)
        let target = MemoryTarget([entry, Self.user("2")])
        let pass = ReconcilePass(
            .init(pipeline: "p", source: activeLayout, target: activeLayout, onDelete: .deactivate, adopt: false, removalLimit: .count(5)),
            ledger: ledger)
        let outcome = try await Self.run(pass, source: [Self.user("2")], target: target)
        #expect(outcome.report.runLogCounts["deactivateUser"] == 1)
        #expect(target.users["1"]?.resource.attributes["active"] == .bool(false))
        #expect(ledger.entries.contains(LedgerEntry(kind: .user, id: "1")), "a deactivated user stays scimsync's")
    }
}

/// A ledger, hold and run log in memory.
final class MemoryLedger: LedgerStore {
    var entries: Set<LedgerEntry>
    var held: ReconcileHold?
    var runs: [[String: Int]] = []

    init(_ entries: [LedgerEntry] = []) {
        self.entries = Set(entries)
    }

    func owned(_ ids: [String], kind: ResourceKind) throws -> Set<String> {
        Set(ids.filter { entries.contains(LedgerEntry(kind: kind, id: $0)) })
    }

    func updateLedger(added: [LedgerEntry], removed: [LedgerEntry]) throws {
        entries.formUnion(added)
        entries.subtract(removed)
    }

    func hold() throws -> ReconcileHold? { held }
    func setHold(reason: String) throws { held = ReconcileHold(reason: reason, approved: false) }
    func clearHold() throws { held = nil }
    func startRun() throws -> Int64 { Int64(runs.count) }
    func finishRun(_ id: Int64, ops: [String: Int], error: String?) throws { runs.append(ops) }
}

/// A source of users in memory, in id order.
final class MemorySource: ReconcileSourceReader {
    let users: [DirectoryEntry]

    init(users: [DirectoryEntry]) {
        self.users = users.sorted { IDOrder.binary.precedes($0.id, $1.id) }
    }

    func entries(_ kind: ResourceKind, chunkSize: Int, order: IDOrder) throws -> ClosureChunks<DirectoryEntry> {
        chunks(kind == .user ? users : [], chunkSize)
    }

    func parents(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<(id: String, parent: String?)> { chunks([], chunkSize) }
    func memberships(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<Membership> { chunks([], chunkSize) }
    func name(_ kind: ResourceKind) -> String { "memory source" }
    var membershipsName: String { "memory source" }
}

/// A target of users in memory that applies the pass's operations.
final class MemoryTarget: ReconcileTargetReader {
    var users: [String: DirectoryEntry]

    init(_ users: [DirectoryEntry] = []) {
        self.users = Dictionary(uniqueKeysWithValues: users.map { ($0.id, $0) })
    }

    func apply(_ ops: [ResourceOp]) {
        for op in ops {
            switch op {
            case .create(_, let resource): users[resource.id ?? ""] = DirectoryEntry(id: resource.id ?? "", resource: resource)
            case .delete(_, let id): users[id] = nil
            case .deactivate(let id): users[id]?.resource.attributes["active"] = .bool(false)
            case .reactivate(let id): users[id]?.resource.attributes["active"] = .bool(true)
            case .patch(_, let id, let operations):
                for operation in operations {
                    guard let path = operation.path, let value = operation.value, let old = users[id] else { continue }
                    var object = old.resource.attributes
                    if let sub = path.subAttribute {
                        var inner = object[path.attribute]?.objectValue ?? SCIMObject()
                        inner[sub] = value
                        object[path.attribute] = .object(inner)
                    } else {
                        object[path.attribute] = value
                    }
                    users[id] = DirectoryEntry(id: id, resource: SCIMResource(object))
                }
            case .addMember, .removeMember, .moveParent: break
            }
        }
    }

    func idOrders(source: SourceIDTypes, pipeline: String) throws -> IDOrders { IDOrders(sameAs: source) }
    func isEmpty() throws -> Bool { users.isEmpty }

    func entries(_ kind: ResourceKind, chunkSize: Int, order: IDOrder) throws -> ClosureChunks<DirectoryEntry> {
        chunks(kind == .user ? users.values.sorted { order.precedes($0.id, $1.id) } : [], chunkSize)
    }

    func parents(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<(id: String, parent: String?)> { chunks([], chunkSize) }
    func memberships(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<Membership> { chunks([], chunkSize) }
    func existingUserIDs(_ ids: [String]) throws -> Set<String> { Set(ids.filter { users[$0] != nil }) }
    func name(_ kind: ResourceKind) -> String { "memory target" }
    var membershipsName: String { "memory target" }
}
