import Directory
import Foundation
import OffsetStore
import SCIM
import Testing

/// The operations journal: written with the position it belongs to, read back per resource
/// (a user's own entries and the membership changes that named it), pruned by count and age,
/// and not written at all when switched off.
@Suite struct JournalTests {
    func store() throws -> (OffsetStore, String) {
        let path = NSTemporaryDirectory() + "scimsync-journal-\(UUID().uuidString).db"
        return (try OffsetStore(path: path), path)
    }

    private var user: SCIMResource {
        var resource = SCIMResource()
        resource.id = "u1"
        resource["userName"] = .string("bjensen")
        resource["title"] = .string("Guide")
        return resource
    }

    @Test func entriesComeBackPerResourceNewestFirstWithTheirPosition() throws {
        let (store, path) = try store()
        defer { removeStore(at: path) }
        let position = SourcePosition.binlog(file: "bin.000001", offset: 120, gtid: "0-1-7")
        try store.commit(
            position: position, pipeline: "p",
            journal: [
                ResourceOp.create(.user, user).journalRecord(),
                ResourceOp.addMember(groupID: "g1", userID: "u1").journalRecord(outcome: .parked, reason: "Group g1 missing"),
                ResourceOp.create(.user, { var other = user; other.id = "u2"; return other }()).journalRecord(),
            ])
        let patch = ResourceOp.patch(.user, id: "u1", [PatchOperation(op: .replace, path: AttributePath(attribute: "title"), value: .string("Lead"))])
        try store.commit(
            position: .binlog(file: "bin.000001", offset: 300, gtid: nil), pipeline: "p", journal: [patch.journalRecord()])
        try store.commit(position: position, pipeline: "other", journal: [patch.journalRecord()])

        let entries = try store.journal(pipeline: "p", kind: .user, id: "u1")
        #expect(entries.map(\.record.action) == ["patch", "addMember", "create"])
        #expect(entries[0].record.attributes == ["title"])
        #expect(entries[0].position == "bin.000001:300")
        #expect(entries[1].record.outcome == .parked)
        #expect(entries[1].record.reason == "Group g1 missing")
        #expect(entries[2].record.attributes.sorted() == ["title", "userName"])
        #expect(entries[2].position == "bin.000001:120 (GTID 0-1-7)")
        #expect(entries.allSatisfy { $0.origin == "stream" && $0.record.values == nil })
        #expect(try store.journal(pipeline: "p", kind: .group, id: "g1").map(\.record.relatedID) == ["u1"])
        #expect(try store.journal(pipeline: "p", outcome: .parked).count == 1)
    }

    /// Each record keeps its own attribute names when a batch mixes kinds of operations, runs
    /// of the same names and none at all, across more than one statement's chunk.
    @Test func eachRecordKeepsItsAttributesInAMixedBatch() throws {
        let (store, path) = try store()
        defer { removeStore(at: path) }
        let shapes: [(ResourceOp, [String])] = [
            (.create(.user, user), ["title", "userName"]),
            (.addMember(groupID: "g1", userID: "u1"), ["members"]),
            (.addMember(groupID: "g2", userID: "u1"), ["members"]),
            (.delete(.user, id: "u9"), []),
            (.patch(.user, id: "u1", [PatchOperation(op: .replace, path: AttributePath(attribute: "title"), value: .string("Lead"))]), ["title"]),
            (.delete(.group, id: "g9"), []),
            (.create(.user, user), ["title", "userName"]),
        ]
        let batch = (0..<45).map { shapes[($0 * 3 + $0 / 7) % shapes.count] }
        try store.commit(
            position: .binlog(file: "bin.000001", offset: 4, gtid: nil), pipeline: "p",
            journal: batch.map { $0.0.journalRecord() })
        let entries = try store.journal(pipeline: "p", limit: 100).reversed()
        #expect(entries.count == batch.count)
        #expect(entries.map { $0.record.attributes.sorted() } == batch.map(\.1))
    }

    /// A batch larger than one statement's chunk, some records with a reason and most
    /// without: every record in order, each with its own reason, all with the batch's position.
    @Test func aLargeBatchKeepsItsOrderAndEachRecordsReason() throws {
        let (store, path) = try store()
        defer { removeStore(at: path) }
        func reason(_ index: Int) -> String? { index % 25 == 3 ? "refused \(index)" : nil }
        let records = (0..<70).map { index in
            reason(index).map { ResourceOp.deactivate(userID: "u\(index)").journalRecord(outcome: .quarantined, reason: $0) }
                ?? ResourceOp.deactivate(userID: "u\(index)").journalRecord()
        }
        try store.commit(position: .changeTracking(version: 4), pipeline: "p", journal: records)
        let entries = try store.journal(pipeline: "p", limit: 100)
        #expect(entries.map(\.record.id) == (0..<70).reversed().map { "u\($0)" })
        #expect(entries.map(\.record.reason) == (0..<70).reversed().map(reason))
        #expect(entries.map(\.record.outcome) == (0..<70).reversed().map { reason($0) == nil ? .applied : .quarantined })
        #expect(entries.allSatisfy { $0.position == "change-tracking version 4" && $0.origin == "stream" && $0.pipeline == "p" })
    }

    @Test func theJournalKeepsItsBoundsAndCanBeSwitchedOff() throws {
        let (store, path) = try store()
        defer { removeStore(at: path) }
        store.keepJournal(JournalPolicy(keepSeconds: 3600, maxEntries: 5))
        for index in 0..<12 {
            try store.appendJournal(
                [ResourceOp.deactivate(userID: "u\(index)").journalRecord()], pipeline: "p", origin: "reconcile")
        }
        try store.pruneJournal()
        let kept = try store.journal(pipeline: "p", limit: 100)
        #expect(kept.map(\.record.id) == ["u11", "u10", "u9", "u8", "u7"])
        // An hour later every entry is past `keep`.
        try store.pruneJournal(now: Date().addingTimeInterval(3601))
        #expect(try store.journal(pipeline: "p", limit: 100).isEmpty)

        store.keepJournal(nil)
        try store.commit(position: .changeTracking(version: 9), pipeline: "p", journal: [ResourceOp.delete(.user, id: "u1").journalRecord()])
        #expect(try store.journal(pipeline: "p", limit: 100).isEmpty)
        #expect(try store.position(pipeline: "p") == .changeTracking(version: 9))
    }

    @Test func valuesAreKeptOnlyWhenAsked() throws {
        let op = ResourceOp.create(.user, user)
        #expect(op.journalRecord().values == nil)
        let kept = try #require(op.journalRecord(keepValues: true).values)
        #expect(kept.contains("bjensen"))
    }
}
