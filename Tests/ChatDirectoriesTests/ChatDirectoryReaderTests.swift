import ChatDirectories
import Directory
import Reconcile
import SCIM
import Testing

/// A platform's full read, kept on disk: served in either id order a chunk at a time, a group
/// with its parent, a membership read twice kept once, and read back as a target.
@Suite struct ChatDirectoryReaderTests {
    private func all<Element>(_ chunks: ClosureChunks<Element>) throws -> [[Element]] {
        var chunks = chunks
        var out: [[Element]] = []
        while let chunk = try chunks.next() { out.append(chunk) }
        return out
    }

    private func entry(_ id: String, parent: String? = nil) -> DirectoryEntry {
        DirectoryEntry(id: id, resource: SCIMResource(["id": .string(id), "displayName": .string("n\(id)")]), parentID: parent)
    }

    @Test func aReadIsServedInEitherOrderAChunkAtATime() throws {
        let ids = ["10", "9", "100", "2", "007", "7", "abc", "u-1"]
        let reader = try ChatDirectoryReader(
            platform: "Feishu", users: ids.map { entry($0) }, groups: [entry("30", parent: "4"), entry("4")],
            memberships: [
                Membership(groupID: "30", userID: "10"), Membership(groupID: "4", userID: "9"),
                Membership(groupID: "30", userID: "10"), Membership(groupID: "4", userID: "10"),
            ])
        for order in [IDOrder.numeric, .binary] {
            let chunks = try all(reader.entries(.user, chunkSize: 3, order: order))
            #expect(chunks.map(\.count) == [3, 3, 2])
            #expect(chunks.flatMap { $0.map(\.id) } == ids.sorted { order.precedes($0, $1) })
        }
        #expect(try all(reader.entries(.user, chunkSize: 100, order: .binary)).flatMap { $0 }.first { $0.id == "9" } == entry("9"))
        let parents = try all(reader.parents(chunkSize: 1, order: .numeric)).flatMap { $0 }
        #expect(parents.map(\.id) == ["4", "30"] && parents.map(\.parent) == [nil, "4"])
        // Read twice, kept once; by user, then group.
        let members = try all(reader.memberships(chunkSize: 2, order: .numeric)).flatMap { $0 }
        #expect(members == [
            Membership(groupID: "4", userID: "9"), Membership(groupID: "4", userID: "10"), Membership(groupID: "30", userID: "10"),
        ])
        #expect(try reader.users().count == ids.count && reader.groups().count == 2 && reader.members().count == 3)
        // As a target read back.
        #expect(try !reader.isEmpty())
        #expect(try reader.existingUserIDs(["9", "8", "abc"]) == ["9", "abc"])
        #expect(try ChatDirectoryReader(platform: "WeCom", users: [], groups: [], memberships: []).isEmpty())
        #expect(reader.name(.user) == "Feishu's users" && reader.membershipsName == "Feishu's department members")
    }
}
