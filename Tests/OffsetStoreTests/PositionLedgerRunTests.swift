import Directory
import Foundation
import OffsetStore
import Testing

@Suite struct PositionLedgerRunTests {
    func store() throws -> (OffsetStore, String) {
        let path = NSTemporaryDirectory() + "scimsync-offsets-\(UUID().uuidString).db"
        return (try OffsetStore(path: path), path)
    }

    @Test func positionsRoundTripPerPipeline() throws {
        let (store, path) = try store()
        defer { removeStore(at: path) }
        #expect(try store.position(pipeline: "a") == nil)
        try store.commit(position: .binlog(file: "binlog.000003", offset: 1234, gtid: "0-1-42"), pipeline: "a")
        try store.commit(position: .changeTracking(version: 77), pipeline: "b")
        try store.commit(position: .token("upload-5"), pipeline: "c")
        // A later commit replaces the earlier one.
        try store.commit(position: .binlog(file: "binlog.000004", offset: 4, gtid: nil), pipeline: "a")

        let reopened = try OffsetStore(path: path)
        #expect(try reopened.position(pipeline: "a") == .binlog(file: "binlog.000004", offset: 4, gtid: nil))
        #expect(try reopened.position(pipeline: "b") == .changeTracking(version: 77))
        #expect(try reopened.position(pipeline: "c") == .token("upload-5"))
        try reopened.resetPosition(pipeline: "a")
        #expect(try reopened.position(pipeline: "a") == nil)
    }

    /// A mapping pause outlives the process, per pipeline, until forgotten.
    @Test func aMappingPauseIsKeptUntilForgotten() throws {
        let (store, path) = try store()
        defer { removeStore(at: path) }
        #expect(try store.pausedForMapping(pipeline: "a") == nil)
        try store.setPausedForMapping("sync_users.email is gone", pipeline: "a")
        try store.setPausedForMapping("change tracking is off", pipeline: "a")
        let reopened = try OffsetStore(path: path)
        #expect(try reopened.pausedForMapping(pipeline: "a") == "change tracking is off")
        #expect(try reopened.pausedForMapping(pipeline: "b") == nil)
        try reopened.setPausedForMapping(nil, pipeline: "a")
        #expect(try reopened.pausedForMapping(pipeline: "a") == nil)
    }

    /// A first load's records: ids of any text, of both kinds, kept apart per pipeline, each
    /// once however often a restarted load records it.
    @Test func aLoadRecordsWhatItCreatesOnce() throws {
        let (store, path) = try store()
        defer { removeStore(at: path) }
        let awkward = ["007", "7", "quote\"d", "back\\slash", "tab\tnew\nline", "Ünïcødé 𝔘", "[1]", "null", ""]
        let users = awkward.map { LedgerEntry(kind: .user, id: $0) }
        try store.recordCreated(users + [LedgerEntry(kind: .group, id: "g1"), LedgerEntry(kind: .group, id: "007")], pipeline: "p")
        try store.recordCreated(Array(users.prefix(3)) + [LedgerEntry(kind: .group, id: "g2")], pipeline: "p")
        try store.recordCreated([LedgerEntry(kind: .user, id: "other")], pipeline: "q")
        try store.recordCreated([], pipeline: "p")
        #expect(try store.ledgerIDs(kind: .user, pipeline: "p") == awkward.sorted())
        #expect(try store.ledgerIDs(kind: .group, pipeline: "p") == ["007", "g1", "g2"])
        #expect(try store.ledgerIDs(kind: .user, pipeline: "q") == ["other"])
        #expect(try store.owned(["7", "07", "null"], kind: .user, pipeline: "p") == ["7", "null"])
    }

    @Test func theLedgerMovesWithThePosition() throws {
        let (store, path) = try store()
        defer { removeStore(at: path) }
        let position = SourcePosition.binlog(file: "b.1", offset: 9, gtid: nil)
        try store.commit(
            position: position, pipeline: "p",
            created: [LedgerEntry(kind: .user, id: "1"), LedgerEntry(kind: .user, id: "2"), LedgerEntry(kind: .group, id: "1")])
        // Replaying the same batch records nothing twice.
        try store.commit(position: position, pipeline: "p", created: [LedgerEntry(kind: .user, id: "1")])
        try store.commit(position: position, pipeline: "p", removed: [LedgerEntry(kind: .user, id: "2")])
        #expect(try store.owned(["1", "2", "3"], kind: .user, pipeline: "p") == ["1"])
        #expect(try store.owned(["1"], kind: .group, pipeline: "p") == ["1"])
        #expect(try store.owned(["1"], kind: .user, pipeline: "other").isEmpty)
        let many = (0..<1200).map(String.init)
        try store.commit(position: position, pipeline: "q", created: many.map { LedgerEntry(kind: .user, id: $0) })
        #expect(try store.owned(many, kind: .user, pipeline: "q").count == 1200)
    }

    @Test func runLog() throws {
        let (store, path) = try store()
        defer { removeStore(at: path) }
        let first = try store.startRun(pipeline: "p")
        try store.finishRun(first, ops: ["create": 3, "addMember": 2], error: nil)
        let second = try store.startRun(pipeline: "p")
        try store.finishRun(second, ops: [:], error: "target unreachable")
        let third = try store.startRun(pipeline: "p")
        let runs = try store.runs(pipeline: "p")
        #expect(runs.map(\.id) == [third, second, first])
        #expect(runs[0].endedAt == nil)
        #expect(runs[1].error == "target unreachable")
        #expect(runs[2].ops == ["create": 3, "addMember": 2])
        #expect(runs[2].endedAt?.hasSuffix("Z") == true)
    }

    /// `run` and `status` may open a store that does not exist yet at the same moment: every
    /// opener succeeds and finds the tables.
    @Test func concurrentOpenersOfANewStoreAllSucceed() throws {
        for _ in 0..<10 {
            let path = NSTemporaryDirectory() + "scimsync-offsets-\(UUID().uuidString).db"
            defer { removeStore(at: path) }
            let failures = Failures()
            DispatchQueue.concurrentPerform(iterations: 6) { index in
                do {
                    let store = try OffsetStore(path: path)
                    try store.commit(position: .token("t\(index)"), pipeline: "p\(index)")
                } catch {
                    failures.append("\(error)")
                }
            }
            #expect(failures.all.isEmpty)
        }
    }
}

private final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func append(_ item: String) { lock.withLock { items.append(item) } }
    var all: [String] { lock.withLock { items } }
}
