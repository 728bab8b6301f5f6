import ChatDirectories
import Directory
import SCIM
import Testing
import TestSupport

/// A chat platform's target alone against its simulator, the same batches for each platform: a
/// refused object reported while the rest applies, creates whose answers were lost recognised
/// on replay, a platform that does not answer failing the batch, departments deleted children
/// first, and a user deactivated where the platform has a disabled state.
@Suite struct ChatTargetBatchTests {
    typealias R = ChatTargetResources

    /// One user's mobile is another's, one department's name has a character the platform
    /// forbids: each is refused with the platform's code, the rest of the batch applies.
    @Test(arguments: ChatTargetPlatform.allCases)
    func refusedObjectsAreReportedAndTheRestApplies(_ platform: ChatTargetPlatform) async throws {
        let fixture = try await platform.fixture.start()
        let codes = platform.fixture.codes
        let ids = MemoryChatTargetIDs()
        let report = try await fixture.target(ids: ids).apply(
            ResourceOp.ordered([
                .create(.group, R.group("g1", "Research")),
                .create(.group, R.group("g2", platform.fixture.invalidDepartmentName)),
                .create(.user, R.user("u1", "One", mobile: "+86 13900000001")),
                .create(.user, R.user("u2", "Two", mobile: "+86 13900000001")),
                .create(.user, R.user("u3", "Three", mobile: "13900000003")),
                .addMember(groupID: "g1", userID: "u1"),
                .addMember(groupID: "g1", userID: "u3"),
                .addMember(groupID: "g2", userID: "u3"),
            ]))
        let refused = Dictionary(report.refused.map { ($0.subject.description, $0.reason) }) { first, _ in first }
        #expect(refused.keys.sorted() == ["Group g2", "User u2"], "\(report)")
        #expect(refused["User u2"]?.contains(codes.duplicateMobile) == true, "\(refused)")
        #expect(refused["User u2"]?.contains("13900000001") == false)
        #expect(refused["Group g2"]?.contains(codes.invalidDepartmentName) == true, "\(refused)")
        // The member additions into the refused department wait for it.
        #expect(report.parked.map(\.op) == [.addMember(groupID: "g2", userID: "u3")])
        let state = try await fixture.state()
        #expect(state.departments == ["Research|(root)"])
        #expect(state.users == ["u1|One|Research", "u3|Three|Research"], "\(state)")
        #expect(ids.entries[.user]?["u2"] == nil, "a refused create leaves no entry")
        #expect(ids.entries[.group]?["g2"] == nil, "a refused create leaves no entry")
    }

    /// Creates whose answers were lost (the intent recorded, the object made, the answer never
    /// read): on replay, the user the platform says exists is read and updated, the department
    /// it says exists looked up and taken over; nothing is made twice. A user id scimsync never
    /// sent stays refused.
    @Test(arguments: ChatTargetPlatform.allCases)
    func aReplayAfterALostCreateAdoptsWhatWasMade(_ platform: ChatTargetPlatform) async throws {
        let fixture = try await platform.fixture.start()
        let sim = fixture.sim
        let ids = MemoryChatTargetIDs()
        let target = fixture.target(ids: ids)
        // What the lost creates did before their answers went missing: Feishu's department has
        // the id it was sent with, the others' one the platform picked.
        try ids.recordIntent("g1", kind: .group)
        try ids.recordIntent("u1", kind: .user)
        let research: SCIMValue =
            platform.fixture.departmentIDsAreSourceIDs
            ? ["id": "g1", "name": "Research", "parent": "1"] : ["name": "Research", "parent": "1"]
        try await sim.control("POST", "/_sim/admin/create_department", research)
        let made = try #require(try await fixture.state().departmentIDs["Research"])
        try await sim.control(
            "POST", "/_sim/admin/create_user", ["id": "u1", "name": "One", "mobile": "+86 13900000001", "departments": ["1"]])
        // Someone else's user with the user id a source user maps to.
        try await sim.control(
            "POST", "/_sim/admin/create_user", ["id": "u9", "name": "Not ours", "mobile": "+86 13900000009", "departments": ["1"]])

        let report = try await target.apply(
            ResourceOp.ordered([
                .create(.group, R.group("g1", "Research")),
                .create(.user, R.user("u1", "One", mobile: "+86 13900000001", title: "Lead")),
                .create(.user, R.user("u9", "Nine", mobile: "+86 13900000019")),
                .addMember(groupID: "g1", userID: "u1"),
            ]))
        #expect(report.adopted == 2, "\(report)")
        #expect(report.refused.map(\.subject) == [.user("u9")], "\(report)")
        #expect(report.refused.first?.reason.contains(platform.fixture.codes.userIDTaken) == true, "\(report)")
        #expect(ids.entries[.group]?["g1"] == .mapped(made))
        if platform.fixture.departmentIDsAreSourceIDs {
            #expect(made == "g1")
        }
        #expect(ids.entries[.user]?["u1"] == .mapped("u1"))
        #expect(ids.entries[.user]?["u9"] == nil)
        let state = try await fixture.state()
        #expect(state.departments == ["Research|(root)"])
        #expect(state.users == ["u1|One|Research", "u9|Not ours|(root)"], "\(state)")
        #expect(state.userFields["u1"]?["title"] == "Lead")

        // The same batch again creates nothing and moves nothing.
        let before = try await sim.counts().perAPI
        let replay = try await target.apply(
            ResourceOp.ordered([
                .create(.group, R.group("g1", "Research")),
                .create(.user, R.user("u1", "One", mobile: "+86 13900000001", title: "Lead")),
                .addMember(groupID: "g1", userID: "u1"),
            ]))
        #expect(replay.refused.isEmpty && replay.adopted == 0, "\(replay)")
        if !platform.fixture.replayRewritesUsers {
            #expect(replay.applied == 0, "\(replay)")
        }
        let after = try await sim.counts().perAPI
        for api in platform.fixture.replayWriteAPIs {
            #expect(before[api] == after[api], "\(api) was called on an unchanged replay")
        }
        #expect(try await fixture.state() == state)

        // A lost create followed by a change of the user, not by the create again: the pending
        // user is found by its user id and the change applies.
        try ids.recordIntent("u2", kind: .user)
        try await sim.control(
            "POST", "/_sim/admin/create_user", ["id": "u2", "name": "Two", "mobile": "+86 13900000002", "departments": ["1"]])
        let patched = try await target.apply([
            .patch(.user, id: "u2", [PatchOperation(op: .replace, path: try AttributePath.parse("title"), value: "Analyst")]),
            .addMember(groupID: "g1", userID: "u2"),
        ])
        #expect(patched.parked.isEmpty && patched.refused.isEmpty, "\(patched)")
        #expect(ids.entries[.user]?["u2"] == .mapped("u2"))
        let final = try await fixture.state()
        #expect(final.userFields["u2"]?["title"] == "Analyst")
        #expect(final.userFields["u2"]?["mobile"] == "+86 13900000002", "a PATCH of the title kept the mobile")
        #expect(final.users.contains("u2|Two|Research"), "\(final)")
    }

    /// The platform unreachable fails the whole batch (the pipeline retries it); the create's
    /// intent stays recorded, so that the retry knows the user may be its own.
    @Test(arguments: ChatTargetPlatform.allCases)
    func anUnreachablePlatformFailsTheBatch(_ platform: ChatTargetPlatform) async throws {
        let port = try TestServers.refusingPort()
        let ids = MemoryChatTargetIDs()
        let target = platform.fixture.unreachableTarget(baseURL: "http://127.0.0.1:\(port)", ids: ids)
        let error = await #expect(throws: (any Error).self) {
            _ = try await target.apply([.create(.user, R.user("u1", "One", mobile: "+86 13900000001"))])
        }
        let isPlatforms = error.map(platform.fixture.isPlatformError) ?? false
        #expect(isPlatforms, "\(String(describing: error))")
        #expect(ids.entries[.user]?["u1"] == .pending)
    }

    /// A department is deleted children first, after scimsync's users are taken out of it.
    @Test(arguments: ChatTargetPlatform.allCases)
    func departmentsAreDeletedChildrenFirstOnceEmpty(_ platform: ChatTargetPlatform) async throws {
        let fixture = try await platform.fixture.start()
        let target = fixture.target(ids: MemoryChatTargetIDs())
        _ = try await target.apply(
            ResourceOp.ordered([
                .create(.group, R.group("p", "Parent")),
                .create(.group, R.group("c", "Child")),
                .moveParent(groupID: "c", parentID: "p"),
                .create(.user, R.user("u1", "One", mobile: "+86 13900000001")),
                .addMember(groupID: "c", userID: "u1"),
            ]))
        #expect(try await fixture.state().departments == ["Child|Parent", "Parent|(root)"])
        let report = try await target.apply([.delete(.group, id: "p"), .delete(.group, id: "c")])
        #expect(report.refused.isEmpty, "\(report)")
        let state = try await fixture.state()
        #expect(state.departments == [])
        #expect(state.users == ["u1|One|(root)"])
    }

    /// `onDelete: deactivate` disables the user (WeCom's `enable` 0, Feishu's `is_frozen`),
    /// reactivating enables it; the user keeps its departments throughout.
    @Test(arguments: ChatTargetPlatform.disablingUsers)
    func deactivatedUsersAreDisabledInTheirDepartments(_ platform: ChatTargetPlatform) async throws {
        let fixture = try await platform.fixture.start()
        let target = fixture.target(ids: MemoryChatTargetIDs())
        _ = try await target.apply(R.oneUserInResearch)
        let deactivated = try await target.apply([.deactivate(userID: "u1")])
        #expect(deactivated.refused.isEmpty && deactivated.applied == 1, "\(deactivated)")
        var state = try await fixture.state()
        #expect(state.users == ["u1|One|Research"] && state.userFields["u1"]?["active"] == .bool(false), "\(state)")
        _ = try await target.apply([.reactivate(userID: "u1")])
        state = try await fixture.state()
        #expect(state.users == ["u1|One|Research"] && state.userFields["u1"]?["active"] == .bool(true), "\(state)")
    }
}
