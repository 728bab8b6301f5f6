import Directory
import Reconcile
import SCIM
import Testing

@testable import SCIMSource

/// The file a full pull is sorted in: the merge-join's orders exactly, a chunk at a time.
@Suite struct SCIMSpoolTests {
    private func user(_ id: String) -> SCIMResource {
        SCIMResource(["id": .string(id), "userName": .string("u\(id)"), "meta": ["lastModified": "2026-01-01T00:00:00Z"]])
    }

    private func all<Element>(_ chunks: ClosureChunks<Element>) throws -> [[Element]] {
        var chunks = chunks
        var out: [[Element]] = []
        while let chunk = try chunks.next() { out.append(chunk) }
        return out
    }

    @Test func entriesComeInEitherOrderAChunkAtATime() throws {
        let spool = try SCIMSpool()
        let ids = ["10", "9", "100", "2", "007", "7", "abc", "-1", "18446744073709551615"]
        try spool.add(ids.prefix(4).map(user), kind: .user)
        try spool.add(ids.dropFirst(4).map(user), kind: .user)
        // Read twice (pages that shifted): kept once, as last read.
        try spool.add([SCIMResource(["id": "2", "userName": "again"])], kind: .user)
        try spool.add([SCIMResource(["userName": "no id"])], kind: .user)
        for order in [IDOrder.numeric, .binary] {
            let chunks = try all(spool.entries(.user, chunkSize: 4, order: order))
            #expect(chunks.map(\.count) == [4, 4, 1])
            #expect(chunks.flatMap { $0.map(\.id) } == ids.sorted { order.precedes($0, $1) })
        }
        let entries = try all(spool.entries(.user, chunkSize: 100, order: .binary)).flatMap { $0 }
        #expect(entries.first { $0.id == "2" }?.resource == SCIMResource(["id": "2", "userName": "again"]))
        // meta is not compared by a pass.
        #expect(entries.first { $0.id == "9" }?.resource == SCIMResource(["id": "9", "userName": "u9"]))
        #expect(try all(spool.entries(.group, chunkSize: 4, order: .binary)).isEmpty)
    }

    @Test func groupsGiveTheirMembersAndNoParents() throws {
        let spool = try SCIMSpool()
        let group = { (id: String, members: [String]) in
            SCIMResource([
                "id": .string(id), "displayName": .string("g\(id)"),
                "members": .array(members.map { ["value": .string($0)] }),
            ])
        }
        try spool.add([group("20", ["3", "10"]), group("3", ["10", "3", "10"])], kind: .group)
        let memberships = try all(spool.memberships(chunkSize: 2, order: .numeric)).flatMap { $0 }
        #expect(memberships == [
            Membership(groupID: "3", userID: "3"), Membership(groupID: "20", userID: "3"),
            Membership(groupID: "3", userID: "10"), Membership(groupID: "20", userID: "10"),
        ])
        let binary = try all(spool.memberships(chunkSize: 3, order: .binary)).flatMap { $0 }
        #expect(binary == memberships.sorted { IDOrder.binary.compare($0, $1) < 0 })
        let parents = try all(spool.parents(chunkSize: 1, order: .numeric)).flatMap { $0 }
        #expect(parents.map(\.id) == ["3", "20"])
        #expect(parents.allSatisfy { $0.parent == nil })
        let stored = try all(spool.entries(.group, chunkSize: 10, order: .numeric)).flatMap { $0 }
        #expect(stored.allSatisfy { $0.resource.attributes["members"] == nil })
    }
}
