import Directory
import Reconcile
import Foundation
import SCIM
import SCIMClient
import SCIMSource
import Testing
import TestSupport

/// Reading a real provider (scim2-server) as a source: paging, incremental polls, capabilities.
@Suite struct SCIMPullerTests {
    /// A provider holding `users` users and a group of the first three.
    func provider(users: Int) async throws -> (SCIMPeer, SCIMClient, [String]) {
        let peer = try await SCIMPeer.start()
        let client = try SCIMClient(baseURL: peer.url, token: peer.token)
        var ids: [String] = []
        for number in 1...users {
            guard case .created(let user) = try await client.create(
                SCIMResource(["schemas": [.string(SchemaURN.user)], "userName": .string("user\(number)")]), at: .users)
            else { throw SCIMPeerFailed(reason: "user\(number) not created") }
            ids.append(user.id ?? "")
        }
        _ = try await client.create(
            SCIMResource([
                "schemas": [.string(SchemaURN.group)], "displayName": "Team",
                "members": .array(ids.prefix(3).map { ["value": .string($0)] }),
            ]), at: .groups)
        return (peer, client, ids)
    }

    @Test func aFullPullReadsEveryPageUsersFirst() async throws {
        let (peer, client, ids) = try await provider(users: 25)
        let puller = SCIMPuller(client: client, pageSize: 7)
        var pages: [(ResourceKind, Int)] = []
        var users: [String] = []
        var groups: [SCIMResource] = []
        let watermark = try await puller.fullPull { kind, page in
            pages.append((kind, page.count))
            if kind == .user { users += page.compactMap(\.id) } else { groups += page }
        }
        #expect(pages.map(\.0) == [.user, .user, .user, .user, .group])
        #expect(pages.map(\.1) == [7, 7, 7, 4, 1])
        #expect(users.sorted() == ids.sorted())
        #expect(Set(groups.first?.memberIDs ?? []) == Set(ids.prefix(3)))
        #expect(watermark.lastModified != nil)
        _ = peer
    }

    @Test func anIncrementalPollReadsOnlyWhatChanged() async throws {
        let (peer, client, ids) = try await provider(users: 5)
        let puller = SCIMPuller(client: client, pageSize: 100)
        let start = try await puller.fullPull { _, _ in }
        try await Task.sleep(for: .milliseconds(20))
        for id in [ids[1], ids[3]] {
            try await client.patch(id, at: .users, [PatchOperation(op: .replace, path: AttributePath(attribute: "displayName"), value: "changed")])
        }
        var changed: [String] = []
        var kinds: Set<ResourceKind> = []
        let next = try await puller.changes(since: start) { kind, page in
            kinds.insert(kind)
            changed += page.compactMap(\.id)
        }
        #expect(changed.sorted() == [ids[1], ids[3]].sorted())
        #expect(kinds == [.user])
        #expect(next != start)

        var again: [String] = []
        let same = try await puller.changes(since: next) { _, page in again += page.compactMap(\.id) }
        #expect(again.isEmpty)
        #expect(same == next)
        _ = peer
    }

    @Test func capabilitiesComeFromTheServiceProviderConfigAndAProbe() async throws {
        let peer = try await SCIMPeer.start()
        let client = try SCIMClient(baseURL: peer.url, token: peer.token)
        #expect(try await SCIMCapabilities.probe(client) == SCIMCapabilities(filter: true, incremental: true, maxResults: 1000))

        // A provider that says it cannot filter is never polled incrementally.
        let file = NSTemporaryDirectory() + "spc-\(UUID().uuidString).json"
        try #"""
            {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
             "patch": {"supported": true}, "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
             "filter": {"supported": false, "maxResults": 50}, "changePassword": {"supported": false},
             "sort": {"supported": false}, "etag": {"supported": false}, "authenticationSchemes": []}
            """#.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let plain = try await SCIMPeer.start(arguments: ["--service-provider-config", file])
        let plainClient = try SCIMClient(baseURL: plain.url, token: plain.token)
        #expect(try await SCIMCapabilities.probe(plainClient) == SCIMCapabilities(filter: false, incremental: false, maxResults: 50))
    }
}

/// A provider that pages by cursor only (RFC 9865), as scim2-server does when its
/// ServiceProviderConfig says so: asked by startIndex it answers 501.
@Suite struct SCIMCursorPullTests {
    @Test func aProviderOfferingOnlyCursorsIsPulledByCursor() async throws {
        let file = NSTemporaryDirectory() + "spc-\(UUID().uuidString).json"
        try #"""
            {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
             "patch": {"supported": true}, "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
             "filter": {"supported": true, "maxResults": 1000}, "changePassword": {"supported": false},
             "sort": {"supported": true}, "etag": {"supported": false}, "authenticationSchemes": [],
             "pagination": {"cursor": true, "index": false, "defaultPageSize": 10, "maxPageSize": 500}}
            """#.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let peer = try await SCIMPeer.start(arguments: ["--service-provider-config", file])
        let client = try SCIMClient(baseURL: peer.url, token: peer.token)
        var ids: [String] = []
        for number in 1...25 {
            guard case .created(let user) = try await client.create(
                SCIMResource(["schemas": [.string(SchemaURN.user)], "userName": .string("user\(number)")]), at: .users)
            else { throw SCIMPeerFailed(reason: "user\(number) not created") }
            ids.append(user.id ?? "")
        }
        // Index paging is refused: what follows can only have paged by cursor.
        await #expect(throws: SCIMClientError.self) { _ = try await client.search(.users, startIndex: 1, count: 5) }

        let capabilities = try await SCIMCapabilities.probe(client)
        #expect(capabilities == SCIMCapabilities(filter: true, incremental: true, maxResults: 1000, paging: .cursor))
        let puller = SCIMPuller(client: client, pageSize: 7, paging: capabilities.paging)
        var pages: [Int] = []
        var users: [String] = []
        let watermark = try await puller.fullPull { kind, page in
            if kind == .user {
                pages.append(page.count)
                users += page.compactMap(\.id)
            }
        }
        #expect(pages == [7, 7, 7, 4])
        #expect(users.sorted() == ids.sorted())
        #expect(watermark.lastModified != nil)

        // Incremental polls page by cursor too.
        try await client.patch(ids[4], at: .users, [PatchOperation(op: .replace, path: AttributePath(attribute: "displayName"), value: "changed")])
        var changed: [String] = []
        _ = try await puller.changes(since: watermark) { _, page in changed += page.compactMap(\.id) }
        #expect(changed == [ids[4]])

        // The reconcile reader (a first load) too.
        let reader = try await SCIMSourceReader.read(client: client, pageSize: 4, paging: .cursor)
        var entries = try reader.entries(.user, chunkSize: 100, order: .binary)
        let all = try entries.next() ?? []
        #expect(all.map(\.id).sorted() == ids.sorted())
        _ = peer
    }
}

@Suite struct PageCursorTests {
    @Test func pagesUntilTheTotal() {
        var cursor = PageCursor(pageSize: 10)
        cursor.pageReceived(resources: 10, totalResults: 25)
        #expect(cursor.startIndex == 11 && !cursor.isDone)
        cursor.pageReceived(resources: 10, totalResults: 25)
        cursor.pageReceived(resources: 5, totalResults: 25)
        #expect(cursor.isDone)
    }

    @Test func aProviderReturningLessThanAskedIsFollowed() {
        var cursor = PageCursor(pageSize: 100)
        cursor.pageReceived(resources: 50, totalResults: 120)
        #expect(cursor.startIndex == 51 && !cursor.isDone)
    }

    @Test func anEmptyPageEndsTheRead() {
        var cursor = PageCursor(pageSize: 10)
        cursor.pageReceived(resources: 0, totalResults: 40)
        #expect(cursor.isDone)
        var empty = PageCursor(pageSize: 10)
        empty.pageReceived(resources: 0, totalResults: 0)
        #expect(empty.isDone)
    }
}

@Suite struct PulledOpsTests {
    @Test func aGroupBecomesAnUpsertAndItsMembers() {
        let group = SCIMResource([
            "schemas": [.string(SchemaURN.group)], "id": "g1", "displayName": "Team",
            "members": [["value": "u1"], ["value": "u2"]], "meta": ["resourceType": "Group"],
        ])
        #expect(PulledOps.ops(for: [group], kind: .group) == [
            .create(.group, SCIMResource(["schemas": [.string(SchemaURN.group)], "id": "g1", "displayName": "Team"])),
            .addMember(groupID: "g1", userID: "u1"), .addMember(groupID: "g1", userID: "u2"),
        ])
        // A group nested in another is no user's membership.
        let nesting = SCIMResource([
            "id": "g2", "displayName": "Parent",
            "members": [["value": "u1", "type": "User"], ["value": "g1", "type": "Group"], ["value": "g3", "type": "group"]],
        ])
        #expect(PulledOps.ops(for: [nesting], kind: .group).dropFirst() == [.addMember(groupID: "g2", userID: "u1")])
        let user = SCIMResource(["id": "u1", "userName": "a", "meta": ["lastModified": "2026-01-01T00:00:00Z"]])
        #expect(PulledOps.ops(for: [user, SCIMResource(["userName": "no id"])], kind: .user) == [
            .create(.user, SCIMResource(["id": "u1", "userName": "a"]))
        ])
    }
}

/// The watermark a poll asks after: the latest `lastModified` seen, but never one far ahead of
/// this machine's clock, which would make every later poll ask for changes after it.
@Suite struct SCIMWatermarkTests {
    static func resource(_ lastModified: String) -> SCIMResource {
        SCIMResource(["id": "u", "meta": ["lastModified": .string(lastModified)]])
    }

    @Test func aLastModifiedFarAheadOfTheClockIsPassedOver() {
        // 2027-01-15T08:00:00Z.
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        var watermark = SCIMWatermark()
        watermark.advance(
            past: ["2027-01-15T07:59:00Z", "2099-01-01T00:00:00Z", "2027-01-15T08:06:00Z", "2027-01-15T08:04:00Z"].map(Self.resource),
            now: now)
        #expect(watermark.lastModified == "2027-01-15T08:04:00Z")
        watermark.advance(past: [Self.resource("2027-01-15T08:06:00Z")], now: now.addingTimeInterval(120))
        #expect(watermark.lastModified == "2027-01-15T08:06:00Z")
    }
}
