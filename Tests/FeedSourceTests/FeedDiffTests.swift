import Directory
import SCIM
import Testing

@testable import FeedSource

@Suite struct FeedDiffTests {
    private func user(_ userName: String, given: String, groups: [String] = [], digest: String) -> FeedUser {
        var object = SCIMObject()
        object["schemas"] = .array([.string(SchemaURN.user)])
        object["id"] = .string(userName)
        object["userName"] = .string(userName)
        object["name"] = .object(SCIMObject([("givenName", .string(given))]))
        return FeedUser(
            userName: userName, resource: SCIMResource(object), groups: groups, digest: digest, rawJSON: "{}",
            location: RecordLocation(file: "users.tsv", line: 2))
    }

    private func known(_ u: FeedUser, owned: Bool = true, inFeed: Bool = true, error: Bool = false) -> KnownUser {
        KnownUser(
            key: u.key, userName: u.userName, id: owned ? u.userName : nil, owned: owned, inFeed: inFeed,
            digest: u.digest,
            resource: u.resource, groups: u.groups, rawJSON: u.rawJSON, lastChangedRun: 1, error: error)
    }

    private func diff(
        _ known: [KnownUser], _ current: [CurrentEntry], managed: Set<String> = ["g1", "g2"],
        existing: @escaping (String) -> String? = { _ in nil }
    ) throws -> [FeedChange] {
        var diff = FeedDiff(
            known: known.makeIterator(), current: current.makeIterator(), run: 2, managedGroups: managed,
            existingUserID: existing)
        var changes: [FeedChange] = []
        while let change = try diff.next() { changes.append(change) }
        return changes
    }

    @Test func unchangedUsersCostNothing() throws {
        let ann = user("ann", given: "Ann", groups: ["g1"], digest: "d1")
        #expect(try diff([known(ann)], [.user(ann)]).isEmpty)
    }

    @Test func createsUpdatesBlocksAndUnblocks() throws {
        let ann = user("ann", given: "Ann", groups: ["g1"], digest: "d1")
        let annie = user("ann", given: "Annie", groups: ["g2"], digest: "d2")
        let bob = user("bob", given: "Bob", digest: "b1")
        let cy = user("cy", given: "Cy", groups: ["g1"], digest: "c1")
        let dee = user("dee", given: "Dee", digest: "e1")
        let changes = try diff(
            [known(ann), known(bob), known(dee, inFeed: false)],
            [.user(annie), .user(cy), .user(dee)])
        #expect(changes.map(\.kind) == [.update, .block, .create, .unblock])
        #expect(changes.map(\.userName) == ["ann", "bob", "cy", "dee"])
        let givenName = try AttributePath.parse("name.givenName")
        #expect(
            changes[0].ops == [
                .patch(.user, id: "ann", [PatchOperation(op: .replace, path: givenName, value: .string("Annie"))]),
                .removeMember(groupID: "g1", userID: "ann"),
                .addMember(groupID: "g2", userID: "ann"),
            ])
        #expect(changes[1].ops == [.deactivate(userID: "bob")])
        #expect(changes[1].state.inFeed == false)
        #expect(changes[2].ops == [.create(.user, cy.resource), .addMember(groupID: "g1", userID: "cy")])
        #expect(changes[2].state.owned)
        #expect(changes[3].ops == [.reactivate(userID: "dee")])
        #expect(changes[3].state.inFeed)
    }

    @Test func unmanagedGroupsAreNeverRemoved() throws {
        // The user was put in g3 when it was managed; it no longer is.
        let before = user("ann", given: "Ann", groups: ["g1", "g3"], digest: "d1")
        let now = user("ann", given: "Ann", groups: [], digest: "d2")
        let changes = try diff([known(before)], [.user(now)], managed: ["g1"])
        #expect(changes.map(\.ops) == [[.removeMember(groupID: "g1", userID: "ann")]])
    }

    @Test func usersTheFeedDidNotCreateAreLeftAlone() throws {
        let carol = user("carol", given: "Carol", groups: ["g1"], digest: "c1")
        // New in the feed, but the target already has the userName: reported, not adopted.
        let first = try diff([], [.user(carol)], existing: { $0 == "carol" ? "t-17" : nil })
        #expect(first.map(\.kind) == [.foreign])
        #expect(first[0].ops.isEmpty)
        #expect(first[0].state.owned == false)
        // Known as foreign: a change, or leaving the feed, does nothing to the target.
        let foreign = known(carol, owned: false)
        let changed = user("carol", given: "Caroline", digest: "c2")
        #expect(try diff([foreign], [.user(changed)], existing: { _ in "t-17" }).allSatisfy(\.ops.isEmpty))
        #expect(try diff([foreign], []).isEmpty)
    }

    @Test func aSkippedRecordNeitherBlocksNorChangesAndFlagsTheUser() throws {
        let ann = user("ann", given: "Ann", digest: "d1")
        let changes = try diff([known(ann)], [.skipped(key: "ann", userName: "ann")])
        #expect(changes.map(\.kind) == [.skipped])
        #expect(changes[0].ops.isEmpty)
        #expect(changes[0].state.error)
        // The next run sends the flagged user whole (an upsert) although its digest is the same.
        let annie = user("ann", given: "Annie", groups: ["g1"], digest: "d1")
        let retried = try diff([known(ann, error: true)], [.user(annie)])
        #expect(retried.map(\.kind) == [.update])
        #expect(retried.first?.ops == [.create(.user, annie.resource), .addMember(groupID: "g1", userID: "ann")])
        #expect(retried.first?.state.error == false)
    }

    /// A record staged by its digest alone costs nothing while its user is as it was read;
    /// when the user changed since (flagged, blocked, not the feed's, another digest), or is
    /// gone, it is kept as a skipped record is, never created, blocked or sent half.
    @Test func aRecordStagedAsUnchangedCostsNothingOrIsKeptAsSkipped() throws {
        let ann = user("ann", given: "Ann", groups: ["g1"], digest: "d1")
        let same = CurrentEntry.unchanged(key: "ann", userName: "ann", digest: "d1")
        #expect(try diff([known(ann)], [same]).isEmpty)
        for old in [
            known(ann, error: true), known(ann, inFeed: false), known(ann, owned: false),
            known(user("ann", given: "Ann", digest: "d0")),
        ] {
            let changes = try diff([old], [same])
            #expect(changes.allSatisfy { $0.ops.isEmpty && ($0.kind == .skipped || $0.kind == .foreign) })
            #expect(changes.allSatisfy { $0.state.error || !$0.state.owned })
        }
        #expect(try diff([known(ann, inFeed: false)], [same]).map(\.kind) == [.skipped])
        // A user already flagged stays flagged, as with a skipped record.
        #expect(try diff([known(ann, error: true)], [same]).isEmpty)
        #expect(try diff([], [same]).isEmpty)
        // Next to it, the other users are diffed as ever.
        let bob = user("bob", given: "Bob", digest: "b1")
        #expect(try diff([known(ann), known(bob)], [same]).map(\.kind) == [.block])
    }

    @Test func aForeignUserNameTheTargetReleasedIsCreatedAndOwned() throws {
        let carol = user("carol", given: "Carol", digest: "c1")
        let changes = try diff([known(carol, owned: false)], [.user(carol)], existing: { _ in nil })
        #expect(changes.map(\.kind) == [.create])
        #expect(changes.first?.ops == [.create(.user, carol.resource)])
        #expect(changes.first?.state.owned == true)
    }

    /// Planning reads the known users without their stored text (``KnownUser/partial``) and
    /// the rest of a user's row only for a user it changes, blocks or keeps: the changes are
    /// those of a diff of whole users, and a user passed over by its digest is never read whole.
    @Test func partialKnownUsersAreReadWholeOnlyWhenTheDiffNeedsThem() throws {
        let same = user("ann", given: "Ann", groups: ["g1"], digest: "a1")
        let staged = user("bea", given: "Bea", groups: ["g2"], digest: "b1")
        let before = user("cy", given: "Cy", groups: ["g1"], digest: "c1")
        let after = user("cy", given: "Cyrus", groups: ["g2"], digest: "c2")
        let gone = user("dee", given: "Dee", groups: ["g1"], digest: "d1")
        let skipped = user("eve", given: "Eve", digest: "e1")
        let flagged = user("fay", given: "Fay", groups: ["g1"], digest: "f1")
        let blocked = user("gus", given: "Gus", digest: "g1")
        let foreign = user("hal", given: "Hal", digest: "h1")
        let foreignNow = user("hal", given: "Hal", digest: "h2")
        let whole = [
            known(same), known(staged), known(before), known(gone), known(skipped), known(flagged, error: true),
            known(blocked, inFeed: false), known(foreign, owned: false),
        ]
        let current: [CurrentEntry] = [
            .user(same), .unchanged(key: "bea", userName: "bea", digest: "b1"), .user(after),
            .skipped(key: "eve", userName: "eve"), .user(flagged), .user(blocked), .user(foreignNow),
        ]
        let expected = try diff(whole, current, existing: { _ in "t-1" })
        #expect(expected.map(\.userName) == ["cy", "dee", "eve", "fay", "gus", "hal"])

        let partial = whole.map { user -> KnownUser in
            var light = KnownUser(
                key: user.key, userName: user.userName, id: user.id, owned: user.owned, inFeed: user.inFeed,
                digest: user.digest, resource: nil, groups: [], rawJSON: nil, lastChangedRun: nil, error: user.error)
            light.partial = true
            return light
        }
        var readWhole: [String] = []
        var diff = FeedDiff(
            known: partial.makeIterator(), current: current.makeIterator(), run: 2, managedGroups: ["g1", "g2"],
            existingUserID: { _ in "t-1" }
        ) { light in
            readWhole.append(light.key)
            return whole.first { $0.key == light.key }!
        }
        var changes: [FeedChange] = []
        while let change = try diff.next() { changes.append(change) }
        #expect(changes == expected)
        #expect(readWhole == ["cy", "dee", "eve", "fay", "gus", "hal"])
    }
}
