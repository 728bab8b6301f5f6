import ChatDirectories
import Config
import Daemon
import Directory
import Foundation
import Logging
import TargetKinds
import Testing

/// config/dingtalk-from-mariadb.yaml loads, and `onDelete: deactivate` needs a department (the
/// checks every platform's block shares: ChatTargetConfigTests).
@Suite struct DingTalkTargetConfigTests {
    let kinds = [DingTalkTargetConfig.configKind]

    @Test func theExampleLoads() throws {
        let config = try ConfigLoader.load(
            path: FeishuSim.repositoryRoot + "/config/dingtalk-from-mariadb.yaml", kinds: kinds,
            environment: ["DINGTALK_APP_SECRET": "s3cret-value", "HR_DB_PASSWORD": "hr-password"])
        let pipeline = try #require(config.pipelines.first)
        let dingtalk = try #require(pipeline.target.settings(DingTalkTargetConfig.self))
        #expect(dingtalk.appKey == "dingabcdefghijklmnop" && dingtalk.appSecret == "s3cret-value")
        #expect(dingtalk.baseURL == "https://oapi.dingtalk.com" && dingtalk.defaultDepartment == 1)
        #expect(dingtalk.deactivatedDepartment == nil)
        #expect(dingtalk.users.entries.map(\.column) == ["userid", "name", "mobile", "email", "title"])
        #expect(dingtalk.groups.entries.map(\.column) == ["dept_id", "name"])
        #expect(pipeline.sourceLayout.groups?.parent == "parent_id")
        // Reconciliation compares through DingTalk's own layout: its fields and the department tree.
        #expect(pipeline.targetLayout.groups?.parent == "parent_id")
        #expect(pipeline.targetLayout.users.attributes.entries.map(\.column).contains("mobile"))
        #expect(!"\(pipeline.target)".contains("s3cret") && !String(reflecting: dingtalk).contains("s3cret"))
    }

    /// `onDelete: deactivate` needs a department to put deactivated users in: DingTalk has no
    /// disabled state. (With one, the registry opens it: ChatTargetConfigTests.)
    @Test func deactivateNeedsADepartment() throws {
        let text = ChatTargetConfigTests.text(.dingtalk, ChatTargetConfigTests.secretLines(.dingtalk), onDelete: "deactivate")
        let config = try ConfigLoader.parse(text, file: "f.yaml", kinds: kinds, environment: ChatTargetConfigTests.environment)
        let pipeline = try #require(config.pipelines.first)
        let refused = #expect(throws: (any Error).self) {
            _ = try TargetKinds.registry.connector(for: pipeline, store: nil, logger: Logger(label: "test"))
        }
        #expect("\(refused.map { "\($0)" } ?? "")".contains("target.dingtalk.deactivatedDepartment: onDelete: deactivate needs"))
    }
}
