import Directory
import Foundation
import OffsetStore
import SCIM
import Testing

@Suite struct ParkedAndQuarantineTests {
    func store() throws -> (OffsetStore, String) {
        let path = NSTemporaryDirectory() + "scimsync-parked-\(UUID().uuidString).db"
        return (try OffsetStore(path: path), path)
    }

    @Test func parkedOperationsReadBackAndParkingAKeyAgainReplacesIt() throws {
        let (store, path) = try store()
        defer { removeStore(at: path) }
        let membership = ResourceOp.addMember(groupID: "g9", userID: "u1")
        let move = ResourceOp.moveParent(groupID: "g1", parentID: "g8")
        try store.park(
            pipeline: "p", key: "k-member", op: membership, waitingFor: .group, id: "g9", reason: "Group g9 missing")
        try store.park(pipeline: "p", key: "k-move", op: move, waitingFor: .group, id: "g8", reason: "Group g8 missing")
        try store.park(pipeline: "other", key: "k-member", op: membership, waitingFor: .group, id: "g9", reason: "r")
        // The same key again: the newer operation and what it waits for replace the old.
        let newer = ResourceOp.addMember(groupID: "g9", userID: "u1")
        try store.park(pipeline: "p", key: "k-member", op: newer, waitingFor: .user, id: "u1", reason: "User u1 missing")

        let reopened = try OffsetStore(path: path)
        let parked = try reopened.parked(pipeline: "p")
        #expect(parked.map(\.key).sorted() == ["k-member", "k-move"])
        let member = try #require(parked.first { $0.key == "k-member" })
        #expect(member.op == newer)
        #expect(member.waitingKind == .user && member.waitingID == "u1")
        #expect(member.attempts == 2)
        #expect(member.reason == "User u1 missing")
        #expect(parked.first { $0.key == "k-move" }?.op == move)
        #expect(try reopened.parkedCount(pipeline: "p") == 2)

        try reopened.unpark(pipeline: "p", keys: ["k-member", "unknown"])
        #expect(try reopened.parked(pipeline: "p").map(\.key) == ["k-move"])
        #expect(try reopened.parkedCount(pipeline: "other") == 1)
    }

    @Test func anEmptyReadIsNotRememberedPastAPark() async throws {
        let (store, path) = try store()
        defer { removeStore(at: path) }
        // "None parked" is remembered (the stream asks before every batch) and forgotten by
        // the next park, also when reads and parks of two tasks interleave.
        #expect(try store.parked(pipeline: "p").isEmpty)
        try store.park(pipeline: "p", key: "k1", op: .removeMember(groupID: "g", userID: "u"), waitingFor: .group, id: "g", reason: "r")
        #expect(try store.parked(pipeline: "p").map(\.key) == ["k1"])
        try store.unpark(pipeline: "p", keys: ["k1"])
        #expect(try store.parked(pipeline: "p").isEmpty)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for index in 0..<200 {
                    try store.park(
                        pipeline: "p", key: "k\(index)", op: .removeMember(groupID: "g", userID: "u\(index)"),
                        waitingFor: .group, id: "g", reason: "r")
                }
            }
            group.addTask {
                for _ in 0..<200 { _ = try store.parked(pipeline: "p") }
            }
            try await group.waitForAll()
        }
        #expect(try store.parked(pipeline: "p").count == 200)
    }

    /// A refused PATCH leaves quarantine only by a change that covers its attributes (or by
    /// a change of the whole resource); a refusal of the whole resource only by the latter.
    @Test func aRefusedPatchIsLiftedOnlyByAChangeOfItsAttributes() throws {
        let (store, path) = try store()
        defer { removeStore(at: path) }
        try store.quarantine(pipeline: "p", kind: "User", id: "u1", reason: "too long", attributes: ["title"])
        try store.clearQuarantine(pipeline: "p", covering: [(kind: "User", id: "u1", covers: Set(["name"]))])
        #expect(try store.quarantinedCount(pipeline: "p") == 1, "a change of the name does not write the title")
        // Refused again for another attribute: both are kept.
        try store.quarantine(pipeline: "p", kind: "User", id: "u1", reason: "too long", attributes: ["emails"])
        try store.clearQuarantine(pipeline: "p", covering: [(kind: "User", id: "u1", covers: Set(["title"]))])
        #expect(try store.quarantinedCount(pipeline: "p") == 1)
        try store.clearQuarantine(pipeline: "p", covering: [(kind: "User", id: "u1", covers: Set(["title", "emails", "name"]))])
        #expect(try store.quarantinedCount(pipeline: "p") == 0)

        try store.quarantine(pipeline: "p", kind: "User", id: "u2", reason: "NOT NULL")
        try store.clearQuarantine(pipeline: "p", covering: [(kind: "User", id: "u2", covers: Set(["title"]))])
        #expect(try store.quarantinedCount(pipeline: "p") == 1, "a PATCH does not make a refused resource whole")
        try store.clearQuarantine(pipeline: "p", covering: [(kind: "User", id: "u2", covers: nil)])
        #expect(try store.quarantinedCount(pipeline: "p") == 0)
    }

    @Test func anEmptyQuarantineIsNotRememberedPastAQuarantine() async throws {
        let (store, path) = try store()
        defer { removeStore(at: path) }
        // "Nothing in quarantine" is remembered once a clear found it empty (every streamed
        // batch clears what applied), and forgotten by the next quarantine, also when the two
        // interleave in two tasks.
        try store.clearQuarantine(pipeline: "p", [(kind: "User", id: "u1")])
        try store.quarantine(pipeline: "p", kind: "User", id: "u1", reason: "too long")
        try store.clearQuarantine(pipeline: "p", [(kind: "User", id: "u1")])
        #expect(try store.quarantinedCount(pipeline: "p") == 0)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for index in 0..<200 {
                    try store.quarantine(pipeline: "p", kind: "User", id: "u\(index)", reason: "r")
                }
            }
            group.addTask {
                for _ in 0..<200 { try store.clearQuarantine(pipeline: "p", [(kind: "User", id: "nobody")]) }
            }
            try await group.waitForAll()
        }
        #expect(try store.quarantinedCount(pipeline: "p") == 200)
        // The last clear saw them: a clear now releases.
        try store.clearQuarantine(pipeline: "p", (0..<200).map { (kind: "User", id: "u\($0)") })
        #expect(try store.quarantinedCount(pipeline: "p") == 0)
    }

    @Test func aParkedCreateKeepsItsResource() throws {
        let (store, path) = try store()
        defer { removeStore(at: path) }
        var object = SCIMObject()
        object["schemas"] = .array([.string(SchemaURN.user)])
        object["id"] = "u1"
        object["userName"] = "alice"
        object["active"] = .bool(true)
        object["x"] = .decimal(1.5)
        let op = ResourceOp.create(.user, SCIMResource(object))
        try store.park(pipeline: "p", key: "k", op: op, waitingFor: .group, id: "g", reason: "r")
        #expect(try store.parked(pipeline: "p").first?.op == op)
    }

    @Test func quarantineCountsRefusalsAndClears() throws {
        let (store, path) = try store()
        defer { removeStore(at: path) }
        try store.quarantine(pipeline: "p", kind: "User", id: "u1", reason: "too long")
        try store.quarantine(pipeline: "p", kind: "Group", id: "g1", reason: "check")
        try store.quarantine(pipeline: "p", kind: "User", id: "u1", reason: "unique")
        try store.quarantine(pipeline: "q", kind: "User", id: "u1", reason: "too long")

        let entries = try store.quarantined(pipeline: "p")
        #expect(entries.count == 2)
        let user = try #require(entries.first { $0.kind == "User" })
        #expect(user.id == "u1" && user.count == 2 && user.reason == "unique")
        #expect(user.since <= user.lastSeen)
        #expect(try store.quarantinedCount(pipeline: "p") == 2)

        try store.clearQuarantine(pipeline: "p", [(kind: "User", id: "u1"), (kind: "User", id: "nobody")])
        #expect(try store.quarantined(pipeline: "p").map(\.id) == ["g1"])
        #expect(try store.quarantinedCount(pipeline: "q") == 1)
    }
}
