import Directory
import SCIM
import SCIMClient
import SCIMTarget
import Testing

/// The SCIM push target against a real service provider (scim2-server from PyPI), each test
/// with a provider of its own; every assertion reads back what the provider holds.
@Suite struct SCIMTargetTests {
    typealias Fixture = SCIMTargetFixture

    @Test func createPatchDeactivateReactivateDelete() async throws {
        let fixture = try await Fixture.make()
        let target = try fixture.target()
        try await target.apply([.create(.user, Fixture.user("1", "bjensen")), .create(.group, Fixture.group("10", "Engineering"))])

        let user = try #require(try await fixture.held("1", .user))
        #expect(user["userName"] == "bjensen")
        #expect(user.externalId == "1")
        #expect(user.id != "1")
        #expect(user["name"]?.objectValue?["givenName"] == "Barbara")
        #expect(user["emails"]?.arrayValue?.first?.objectValue?["value"] == "bjensen@example.com")
        #expect(user["active"] == true)
        let group = try #require(try await fixture.held("10", .group))
        #expect(group["displayName"] == "Engineering")
        #expect(group.externalId == "10")

        try await target.apply([
            .patch(.user, id: "1", [PatchOperation(op: .replace, path: try AttributePath.parse("name.givenName"), value: "Babs")])
        ])
        let patched = try #require(try await fixture.held("1", .user))
        #expect(patched["name"]?.objectValue?["givenName"] == "Babs")
        #expect(patched["name"]?.objectValue?["familyName"] == "Jensen")

        try await target.apply([.deactivate(userID: "1")])
        #expect(try await fixture.held("1", .user)?["active"] == false)
        try await target.apply([.reactivate(userID: "1")])
        #expect(try await fixture.held("1", .user)?["active"] == true)

        let providerID = try #require(try fixture.providerID("1", .user))
        try await target.apply([.delete(.user, id: "1"), .delete(.group, id: "10")])
        #expect(try await fixture.client.get(providerID, at: .users) == nil)
        #expect(try fixture.ids.entry("1", kind: .user) == nil)
        #expect(try await fixture.all(.groups).isEmpty)
        // Delete-if-present: a second delete sends nothing and fails nothing.
        let again = try await target.apply([.delete(.user, id: "1")])
        #expect(again.applied == 0)
    }

    @Test func membersGoInChunksOfAtMostTheLimit() async throws {
        let fixture = try await Fixture.make()
        let target = try fixture.target(membersPerPatch: 100)
        let users = (1...250).map { String($0) }
        try await target.apply([.create(.group, Fixture.group("g", "Everyone"))] + users.map { .create(.user, Fixture.user($0, "user\($0)")) })
        let providerUsers = try Set(users.map { try #require(try fixture.providerID($0, .user)) })

        let added = try await target.apply(users.map { .addMember(groupID: "g", userID: $0) })
        #expect(added.applied == 3)  // 100 + 100 + 50
        #expect(try await fixture.memberIDs(ofGroup: "g") == providerUsers)

        let leaving = Array(users.prefix(120))
        let removed = try await target.apply(leaving.map { .removeMember(groupID: "g", userID: $0) })
        #expect(removed.applied == 2)  // 100 + 20
        let staying = try Set(users.dropFirst(120).map { try #require(try fixture.providerID($0, .user)) })
        #expect(try await fixture.memberIDs(ofGroup: "g") == staying)

        // Within a run a pair's last change wins: added back then removed again stays out.
        let leaver = leaving[0]
        try await target.apply([.addMember(groupID: "g", userID: leaver), .removeMember(groupID: "g", userID: leaver)])
        #expect(try await fixture.memberIDs(ofGroup: "g") == staying)
    }

    @Test func aConflictWithoutAdoptLeavesTheProvidersResourceAlone() async throws {
        let fixture = try await Fixture.make()
        guard case .created(let existing) = try await fixture.client.create(
            SCIMResource(["schemas": [.string(SchemaURN.user)], "userName": "bjensen", "name": ["givenName": "Original"]]),
            at: .users)
        else {
            Issue.record("the provider should create the existing user")
            return
        }
        let target = try fixture.target(adopt: false)
        let report = try await target.apply([
            .create(.user, Fixture.user("7", "bjensen")),
            .patch(.user, id: "7", [PatchOperation(op: .replace, path: try AttributePath.parse("name.givenName"), value: "Babs")]),
        ])
        #expect(report.adopted == 0)
        #expect(report.skipped.map(\.reason) == ["exists on the provider, not adopted", "not on the provider"])
        // Reported, not only logged: quarantined until an operation of it applies.
        #expect(report.refused.map(\.subject) == [.user("7")])
        #expect(report.refused.first?.reason.contains("set adopt: true") == true)
        #expect(try fixture.ids.entry("7", kind: .user) == nil)
        let all = try await fixture.all(.users)
        #expect(all.count == 1)
        #expect(all.first?["name"]?.objectValue?["givenName"] == "Original")
        #expect(all.first?["externalId"] == nil)
        #expect(all.first?["id"]?.stringValue == existing.id)
    }

    @Test func aConflictWithAdoptTakesTheResourceOver() async throws {
        let fixture = try await Fixture.make()
        guard case .created(let existing) = try await fixture.client.create(
            SCIMResource(["schemas": [.string(SchemaURN.user)], "userName": "bjensen", "name": ["givenName": "Original"]]),
            at: .users)
        else {
            Issue.record("the provider should create the existing user")
            return
        }
        let target = try fixture.target(adopt: true)
        let report = try await target.apply([.create(.user, Fixture.user("7", "bjensen"))])
        #expect(report.adopted == 1)
        #expect(try fixture.ids.entry("7", kind: .user) == .mapped(try #require(existing.id)))
        let all = try await fixture.all(.users)
        #expect(all.count == 1)
        #expect(all.first?["externalId"] == "7")
        #expect(all.first?["name"]?.objectValue?["givenName"] == "Barbara")
        #expect(all.first?["emails"]?.arrayValue?.first?.objectValue?["value"] == "bjensen@example.com")
    }

    @Test func replayingABatchAfterARestartChangesNothing() async throws {
        let fixture = try await Fixture.make()
        let batch: [ResourceOp] = [
            .create(.group, Fixture.group("10", "Engineering")),
            .create(.user, Fixture.user("1", "bjensen")),
            .create(.user, Fixture.user("2", "jsmith", given: "John", family: "Smith")),
            .create(.user, Fixture.user("3", "adoe", given: "Ann", family: "Doe")),
            .patch(.user, id: "2", [PatchOperation(op: .replace, path: try AttributePath.parse("name.givenName"), value: "Johnny")]),
            .addMember(groupID: "10", userID: "1"), .addMember(groupID: "10", userID: "2"),
            .deactivate(userID: "3"),
        ]
        try await fixture.target().apply(batch)
        let users = try await fixture.all(.users)
        let groups = try await fixture.all(.groups)
        #expect(users.count == 3)
        #expect(groups.first?["members"]?.arrayValue?.count == 2)

        // A new target over the same store is a restarted daemon replaying its last batch.
        let replay = try await fixture.target().apply(batch)
        #expect(try await fixture.all(.users) == users)
        #expect(try await fixture.all(.groups) == groups)
        // No POST was sent again (the provider holds the same resources). Users 1 and the group
        // were already in line and cost nothing; users 2 and 3, which the batch changed after
        // creating them, are set back to the create's values and then changed again, as
        // replaying in order must; the member PATCH is sent again and changes nothing.
        #expect(replay.applied == 5)
    }

    @Test func aCreateWhoseAnswerWasLostIsRecognisedAsOurOwn() async throws {
        let fixture = try await Fixture.make()
        try await fixture.target().apply([.create(.user, Fixture.user("5", "lost"))])
        let providerID = try #require(try fixture.providerID("5", .user))
        // The crash window: the POST went through, its answer was never recorded.
        try fixture.ids.forget("5", kind: .user)
        try fixture.ids.recordIntent("5", kind: .user)

        let report = try await fixture.target(adopt: false).apply([.create(.user, Fixture.user("5", "lost"))])
        #expect(report.adopted == 1)
        #expect(try fixture.ids.entry("5", kind: .user) == .mapped(providerID))
        #expect(try await fixture.all(.users).count == 1)
    }

    /// User 1 created through a target, then deleted on the provider behind its back.
    static func deletedBehindTheTargetsBack() async throws -> (Fixture, SCIMTarget, first: String) {
        let fixture = try await Fixture.make()
        let target = try fixture.target()
        try await target.apply([.create(.user, Fixture.user("1", "bjensen"))])
        let first = try #require(try fixture.providerID("1", .user))
        try await fixture.client.delete(first, at: .users)
        return (fixture, target, first)
    }

    @Test func aResourceDeletedOnTheProviderIsCreatedAgain() async throws {
        let (fixture, target, first) = try await Self.deletedBehindTheTargetsBack()

        try await target.apply([.create(.user, Fixture.user("1", "bjensen"))])
        let second = try #require(try fixture.providerID("1", .user))
        #expect(second != first)
        #expect(try await fixture.held("1", .user)?["userName"] == "bjensen")
    }

    /// A change of a resource deleted on the provider behind scimsync's back does not apply:
    /// the map forgets it (a reconciliation creates it again) and it is quarantined with the
    /// reason, not skipped in silence.
    @Test func aChangeOfAResourceDeletedOnTheProviderIsReported() async throws {
        let (fixture, target, _) = try await Self.deletedBehindTheTargetsBack()
        let report = try await target.apply([.deactivate(userID: "1")])
        #expect(report.applied == 0)
        #expect(report.refused.map(\.subject) == [.user("1")])
        #expect(report.refused.first?.reason.contains("gone from the SCIM provider") == true)
        #expect(try fixture.ids.entry("1", kind: .user) == nil)
    }

    @Test func aRefusedValueSkipsItsOperationNotTheBatch() async throws {
        let fixture = try await Fixture.make()
        var nameless = Fixture.user("8", "x")
        _ = nameless.attributes.removeValue(forKey: "userName")
        let report = try await fixture.target().apply([.create(.user, nameless), .create(.user, Fixture.user("9", "valid"))])
        #expect(report.skipped.count == 1)
        #expect(report.skipped.first?.op == "create User 8")
        // The provider's own words reach the report (and the log).
        #expect(report.skipped.first?.reason.contains("HTTP 400 (invalidValue)") == true)
        #expect(report.skipped.first?.reason.contains("userName") == true)
        #expect(try await fixture.held("9", .user)?["userName"] == "valid")
        #expect(try fixture.ids.entry("8", kind: .user) == nil)
    }

    @Test func aRefusedTokenStopsTheBatch() async throws {
        let fixture = try await Fixture.make()
        let target = try fixture.target(token: "not-the-token-0123")
        do {
            try await target.apply([.create(.user, Fixture.user("1", "bjensen"))])
            Issue.record("a refused token should stop the batch")
        } catch let error as SCIMClientError {
            #expect(error.status == 401)
            #expect("\(error)".contains("check the token"))
            #expect(!"\(error)".contains("not-the-token-0123"))
        }
        #expect(try await fixture.all(.users).isEmpty)
    }
}
