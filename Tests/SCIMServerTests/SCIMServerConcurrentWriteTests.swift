import Foundation
import Testing

/// A write that reads a resource and writes it back (PUT, a PATCH that writes the row whole)
/// racing a DELETE of the same resource: whichever goes second sees what the first did. A
/// DELETE answered 204 leaves the resource gone, never brought back by the other's write.
@Suite struct SCIMServerConcurrentWriteTests {
    @Test("a DELETE answered 204 is never undone by a concurrent PUT or PATCH", arguments: Backend.allCases)
    func deleteRacingAWrite(backend: Backend) async throws {
        // Timestamps mapped: a PATCH then writes the row whole with its new lastModified.
        let fixture = try SCIMServerFixture(backend, timestamps: true, poolSize: 3)
        let users = fixture.quote(fixture.users)
        try await fixture.withClient { client in
            for round in 0..<12 {
                let id = try await client.createUser("racer\(round)")
                let usePut = round % 2 == 0
                async let written = Self.write(client, id: id, round: round, put: usePut)
                async let deleted = client.send(.delete, "Users/\(id)").status
                let (writeStatus, deleteStatus) = try await (written, deleted)
                // Either order is right: the write first (200, then 204) or the delete first
                // (204, then 404 for the write). A 5xx says the database's lock wait ran out (5 s:
                // only on a badly overloaded machine) and that request wrote nothing.
                #expect([200, 404].contains(writeStatus) || writeStatus >= 500, "round \(round): the write answered \(writeStatus)")
                #expect(deleteStatus == 204 || deleteStatus >= 500, "round \(round): the DELETE answered \(deleteStatus)")
                guard deleteStatus == 204 else { continue }
                let left = try fixture.column("SELECT COUNT(*) FROM \(users) WHERE id = '\(id)'")
                #expect(left == ["0"], "round \(round): the deleted user is back (write \(writeStatus))")
                #expect(try await client.send(.get, "Users/\(id)").status == 404)
            }
        }
    }

    @Test(
        "concurrent creates and renames to one userName: one succeeds, the others are 409",
        arguments: [Backend.sqlite, .mariadb, .postgres])
    func oneUserNameOneUser(backend: Backend) async throws {
        // No UNIQUE constraint on MariaDB's and PostgreSQL's login column: the server alone
        // keeps the name unique.
        let fixture = try SCIMServerFixture(backend, poolSize: 8)
        let users = fixture.quote(fixture.users)
        try await fixture.withClient { client in
            for round in 0..<3 {
                let name = "same\(round)"
                let created = try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<12 {
                        group.addTask {
                            try await client.send(
                                .post, "Users", #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"\#(name)"}"#
                            ).status
                        }
                    }
                    return try await group.reduce(into: [Int]()) { $0.append($1) }
                }
                #expect(created.filter { $0 == 201 }.count == 1, "round \(round): \(created.sorted())")
                #expect(created.allSatisfy { [201, 409].contains($0) }, "round \(round): \(created.sorted())")

                var ids: [String] = []
                for index in 0..<8 { ids.append(try await client.createUser("renamed\(round)-\(index)")) }
                let target = "Renamed\(round)"
                let renamed = try await withThrowingTaskGroup(of: Int.self) { group in
                    for (index, id) in ids.enumerated() {
                        group.addTask {
                            if index % 2 == 0 {
                                return try await client.patch("Users/\(id)", #"{"op":"replace","path":"userName","value":"\#(target)"}"#).status
                            }
                            return try await client.send(
                                .put, "Users/\(id)", #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"\#(target)"}"#
                            ).status
                        }
                    }
                    return try await group.reduce(into: [Int]()) { $0.append($1) }
                }
                #expect(renamed.filter { $0 == 200 }.count == 1, "round \(round): \(renamed.sorted())")
                let holders = try fixture.column("SELECT COUNT(*) FROM \(users) WHERE LOWER(login) = 'renamed\(round)'")
                #expect(holders == ["1"], "round \(round)")
                let found = try await client.send(.get, "Users?filter=\("userName eq \"\(name)\"".queryEncoded)")
                #expect(found["totalResults"] == .integer(1), "round \(round)")
            }
        }
    }

    /// A PUT or a PATCH of the user's title; its status.
    private static func write(_ client: SCIMClient, id: String, round: Int, put: Bool) async throws -> Int {
        if put {
            return try await client.send(
                .put, "Users/\(id)",
                #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"racer\#(round)","title":"after"}"#
            ).status
        }
        return try await client.patch("Users/\(id)", #"{"op":"replace","path":"title","value":"after"}"#).status
    }
}
