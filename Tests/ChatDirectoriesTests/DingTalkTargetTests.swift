import ChatDirectories
import Directory
import Logging
import Testing

/// What only DingTalk's target does (the rest: ChatTargetPipelineTests, ChatTargetBatchTests,
/// ChatTargetProbeTests): `onDelete: deactivate` moves a user into the deactivated department
/// alone (DingTalk has no disabled state), reactivating takes it out, and `check`'s probe
/// looks for that department.
@Suite struct DingTalkTargetTests {
    typealias R = ChatTargetResources

    @Test func deactivatedUsersLiveInTheirDepartmentAlone() async throws {
        let fixture = try await DingTalkTargetFixture.start()
        let former = try await fixture.dingtalk.control(
            "POST", "/_sim/admin/create_department", ["name": "Former staff", "parent": "1"])
        let formerID = try #require(former["id"]?.stringValue.flatMap { Int64($0) })
        var settings = fixture.settings
        settings.deactivatedDepartment = formerID
        let target = fixture.target(ids: MemoryChatTargetIDs(), settings: settings)
        _ = try await target.apply(R.oneUserInResearch)
        #expect(try await fixture.state().users == ["u1|One|Research"])
        let deactivated = try await target.apply([.removeMember(groupID: "g1", userID: "u1"), .deactivate(userID: "u1")])
        #expect(deactivated.refused.isEmpty, "\(deactivated)")
        #expect(try await fixture.state().users == ["u1|One|Former staff"])
        _ = try await target.apply([.reactivate(userID: "u1"), .addMember(groupID: "g1", userID: "u1")])
        #expect(try await fixture.state().users == ["u1|One|Research"])

        let checks = await DingTalkTargetConnector(settings, adopt: false, ids: nil, logger: Logger(label: "test")).probe()
        #expect(checks.map(\.status) == [.passed, .passed], "\(checks)")
        var missing = settings
        missing.deactivatedDepartment = 999
        let failed = await DingTalkTargetConnector(missing, adopt: false, ids: nil, logger: Logger(label: "test")).probe()
        #expect(failed.last?.status == .failed && failed.last?.detail.contains("target.dingtalk.deactivatedDepartment") == true)
    }
}
