import ChatDirectories
import Config
import Daemon
import Directory
import Foundation
import Testing

/// config/wecom-from-mariadb.yaml loads, and what only WeCom's block has is checked: its two
/// secrets, `enable`, its user ids' first character (the checks every platform's block shares:
/// ChatTargetConfigTests).
@Suite struct WeComTargetConfigTests {
    let kinds = [WeComTargetConfig.configKind]

    @Test func theExampleLoads() throws {
        let config = try ConfigLoader.load(
            path: WeComSim.repositoryRoot + "/config/wecom-from-mariadb.yaml", kinds: kinds,
            environment: ["WECOM_APP_SECRET": "app-s3cret", "WECOM_CONTACT_SECRET": "contact-s3cret", "HR_DB_PASSWORD": "hr"])
        let pipeline = try #require(config.pipelines.first)
        let wecom = try #require(pipeline.target.settings(WeComTargetConfig.self))
        #expect(wecom.corpID == "ww5im0000000000001" && wecom.appSecret == "app-s3cret" && wecom.contactSecret == "contact-s3cret")
        #expect(wecom.baseURL == "https://qyapi.weixin.qq.com" && wecom.defaultDepartment == 1)
        #expect(wecom.users.entries.map(\.column) == ["userid", "name", "mobile", "email", "position"])
        #expect(wecom.groups.entries.map(\.column) == ["id", "name"])
        #expect(pipeline.onDelete == .deactivate)
        // Reconciliation compares through WeCom's own layout: its fields, `active`, the tree.
        #expect(pipeline.targetLayout.groups?.parent == "parentid")
        #expect(pipeline.targetLayout.users.attributes.entries.map(\.column).contains("enabled"))
        #expect(!"\(pipeline.target)".contains("s3cret") && !String(reflecting: wecom).contains("s3cret"))
    }

    /// The contact-sync secret is another than the app's: WeCom gives each its own calls.
    @Test func theTwoSecretsDiffer() {
        let lines = ["corpId: wwx", "appSecret: \"${APPSECRET}\"", "contactSecret: \"${APPSECRET}\""]
        let same = ChatTargetConfigTests.issues(.wecom, lines)
        #expect(same.contains("contactSecret: is the same secret as appSecret"), "\(same)")
        #expect(!same.contains("app-s3cret"))
    }

    @Test func activeIsAlwaysWrittenAsEnable() {
        let lines = ChatTargetConfigTests.secretLines(.wecom) + ["attributes: { users: { displayName: name, active: enable } }"]
        let active = ChatTargetConfigTests.issues(.wecom, lines)
        #expect(active.contains("active is always written as WeCom's enable"), "\(active)")
    }

    /// "第一个字符必须是数字或字母".
    @Test func aUserIDStartsWithADigitOrALetter() {
        #expect(!WeComUserID.isValid("_alice") && WeComUserID.forSourceID("_alice") != "_alice")
    }
}
