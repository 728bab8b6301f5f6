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

    /// A department's create answered with the id of a department scimsync maps to another
    /// group: mapped, the two groups would be one, the members of one placed in the other's
    /// department. The create is refused instead, and its members wait.
    @Test func aCreateAnsweredWithAnotherGroupsDepartmentIsRefused() async throws {
        let fixture = try await DingTalkTargetFixture.start()
        let ids = MemoryChatTargetIDs()
        let target = fixture.target(ids: ids, settings: fixture.settings)
        _ = try await target.apply(R.oneUserInResearch)
        guard case .mapped(let research)? = try ids.entry("g1", kind: .group), let researchID = Int64(research) else {
            Issue.record("g1 is not mapped: \(ids.entries)")
            return
        }
        _ = try await fixture.dingtalk.control(
            "POST", "/_sim/fault",
            ["api": "dingtalk.oapi.v2.department.create", "times": 1,
             "answer": ["errcode": 0, "errmsg": "ok", "result": ["dept_id": .integer(researchID)]]])
        let report = try await target.apply(
            ResourceOp.ordered([.create(.group, R.group("g2", "Sales")), .addMember(groupID: "g2", userID: "u1")]))
        #expect(report.refused.map(\.subject.description) == ["Group g2"], "\(report)")
        #expect(report.refused.first?.reason.contains("which stands for Group g1 already") == true, "\(report)")
        #expect(try ids.entry("g2", kind: .group) == nil)
        #expect(try ids.entry("g1", kind: .group) == .mapped(research))
        #expect(report.parked.map(\.op) == [.addMember(groupID: "g2", userID: "u1")])
        #expect(try await fixture.state().users == ["u1|One|Research"])
    }
}
