import ChatDirectories
import Directory
import Testing

/// What only WeCom's target meets (the rest: ChatTargetPipelineTests, ChatTargetBatchTests,
/// ChatTargetProbeTests): departments nest 15 levels at most.
@Suite struct WeComTargetTests {
    typealias R = ChatTargetResources

    /// The root is the first level: the 15th level under the root is refused with WeCom's
    /// 81002, the levels above it apply.
    @Test func aTreeDeeperThanFifteenLevelsIsRefusedAtItsDeepestDepartment() async throws {
        let fixture = try await WeComTargetFixture.start()
        var ops: [ResourceOp] = []
        for level in 1...15 {
            ops.append(.create(.group, R.group("d\(level)", "Level \(level)")))
            if level > 1 { ops.append(.moveParent(groupID: "d\(level)", parentID: "d\(level - 1)")) }
        }
        let report = try await fixture.target(ids: MemoryChatTargetIDs()).apply(ResourceOp.ordered(ops))
        #expect(report.refused.map(\.subject) == [.group("d15")], "\(report)")
        #expect(report.refused.first?.reason.contains("errcode 81002") == true, "\(report)")
        #expect(try await fixture.state().departments.count == 14)
    }
}
