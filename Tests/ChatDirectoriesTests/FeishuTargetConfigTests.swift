import ChatDirectories
import Config
import Daemon
import Directory
import Foundation
import Testing

/// config/feishu-from-mariadb.yaml loads, and what only Feishu's block has is checked: its
/// `employeeType`, its ids' own rules (the checks every platform's block shares:
/// ChatTargetConfigTests).
@Suite struct FeishuTargetConfigTests {
    let kinds = [FeishuTargetConfig.configKind]

    @Test func theExampleLoads() throws {
        let config = try ConfigLoader.load(
            path: FeishuSim.repositoryRoot + "/config/feishu-from-mariadb.yaml", kinds: kinds,
            environment: ["FEISHU_APP_SECRET": "s3cret-value", "HR_DB_PASSWORD": "hr-password"])
        let pipeline = try #require(config.pipelines.first)
        let feishu = try #require(pipeline.target.settings(FeishuTargetConfig.self))
        #expect(feishu.appID == "cli_a1b2c3d4e5f60718" && feishu.appSecret == "s3cret-value")
        #expect(feishu.baseURL == "https://open.feishu.cn" && feishu.defaultDepartment == "0" && feishu.employeeType == 1)
        #expect(feishu.users.entries.map(\.column) == ["user_id", "name", "mobile", "email", "job_title"])
        #expect(feishu.groups.entries.map(\.column) == ["department_id", "name"])
        // Reconciliation compares through Feishu's own layout: its fields and the department tree.
        #expect(pipeline.targetLayout.groups?.parent == "parent_department_id")
        #expect(pipeline.targetLayout.users.attributes.entries.map(\.column).contains("!status.is_frozen"))
        #expect(!"\(pipeline.target)".contains("s3cret") && !String(reflecting: feishu).contains("s3cret"))
    }

    @Test func theEmployeeTypeIsChecked() {
        let type = ChatTargetConfigTests.issues(.feishu, ChatTargetConfigTests.secretLines(.feishu) + ["employeeType: 0"])
        #expect(type.contains("pipelines[0].target.feishu.employeeType"), "\(type)")
    }

    /// A number is a valid id (departments take the source's); Feishu's own prefixes and its
    /// root's "0" are not.
    @Test func idsFollowFeishusOwnRules() {
        #expect(FeishuTargetID.forSourceID("10") == "10")
        for invalid in ["od-123", "0", "_x", ""] {
            #expect(!FeishuTargetID.isValid(invalid), "\(invalid)")
        }
    }
}
