import ChatDirectories
import Config
import Daemon
import Directory
import Foundation
import Logging
import TargetKinds
import Testing

/// config/wecom-from-mariadb.yaml loads, and the `wecom` target block's mistakes are reported
/// with the file and their key paths (never with a secret).
@Suite struct WeComTargetConfigTests {
    let kinds = [WeComTargetConfig.configKind]
    let environment = ["APP": "app-s3cret", "CONTACT": "contact-s3cret", "PW": "pw"]

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

    func issues(_ block: String) -> String {
        let text = """
            pipelines:
              - name: p
                source:
                  mysql: { host: db, user: repl, password: "${PW}", database: hr, serverId: 7 }
                  layout:
                    users: { table: u, attributes: { id: id, displayName: name } }
                target:
                  wecom:
            \(block.split(separator: "\n").map { "        " + $0 }.joined(separator: "\n"))
            """
        do {
            _ = try ConfigLoader.parse(text, file: "f.yaml", kinds: kinds, environment: environment)
            return ""
        } catch {
            return "\(error)"
        }
    }

    @Test func bothSecretsComeFromTheEnvironment() {
        let secrets = "corpId: wwx\nappSecret: \"${APP}\"\ncontactSecret: \"${CONTACT}\""
        #expect(issues(secrets) == "")
        let written = issues("corpId: wwx\nappSecret: \"${APP}\"\ncontactSecret: plain-secret-in-file")
        #expect(written.contains("f.yaml"), "\(written)")
        #expect(written.contains("pipelines[0].target.wecom.contactSecret: give the secret through the environment"), "\(written)")
        #expect(!written.contains("plain-secret-in-file"))
        let missing = issues("corpId: wwx\nappSecret: \"${APP}\"")
        #expect(missing.contains("pipelines[0].target.wecom: missing \"contactSecret\""), "\(missing)")
        let same = issues("corpId: wwx\nappSecret: \"${APP}\"\ncontactSecret: \"${APP}\"")
        #expect(same.contains("contactSecret: is the same secret as appSecret"), "\(same)")
        #expect(!same.contains("app-s3cret"))
    }

    @Test func keysAndFieldsAreChecked() {
        let secrets = "corpId: wwx\nappSecret: \"${APP}\"\ncontactSecret: \"${CONTACT}\"\n"
        let unknownKey = issues(secrets + "defaultDept: 3")
        #expect(unknownKey.contains("pipelines[0].target.wecom"), "\(unknownKey)")
        #expect(unknownKey.contains("defaultDepartment"), "\(unknownKey)")
        let field = issues(secrets + "attributes: { users: { displayName: name, userName: userid } }")
        #expect(
            field.contains("pipelines[0].target.wecom.attributes.users.userName: not a WeCom member field scimsync writes"),
            "\(field)")
        let active = issues(secrets + "attributes: { users: { displayName: name, active: enable } }")
        #expect(active.contains("active is always written as WeCom's enable"), "\(active)")
        let nameless = issues(secrets + "attributes: { users: { title: position } }")
        #expect(nameless.contains("map a SCIM attribute to name"), "\(nameless)")
        let department = issues(secrets + "defaultDepartment: 0")
        #expect(department.contains("pipelines[0].target.wecom.defaultDepartment"), "\(department)")
        #expect(issues(secrets + "defaultDepartment: 42\nattributes: { groups: { displayName: name, externalId: name_en } }") == "")
    }

    /// `onDelete: deactivate` needs nothing more: WeCom disables a member.
    @Test func deactivateNeedsNothingMore() throws {
        let text = """
            pipelines:
              - name: p
                source:
                  mysql: { host: db, user: repl, password: "${PW}", database: hr, serverId: 7 }
                  layout:
                    users: { table: u, attributes: { id: id, displayName: name } }
                target:
                  wecom: { corpId: wwx, appSecret: "${APP}", contactSecret: "${CONTACT}" }
                onDelete: deactivate
            """
        let config = try ConfigLoader.parse(text, file: "f.yaml", kinds: kinds, environment: environment)
        let pipeline = try #require(config.pipelines.first)
        _ = try TargetKinds.registry.connector(for: pipeline, store: nil, logger: Logger(label: "test"))
    }

    @Test func userIDsAreTheSourceIDsWhenValid() {
        #expect(WeComUserID.forSourceID("alice.chen@corp") == "alice.chen@corp")
        let mapped = WeComUserID.forSourceID("bob smith")
        #expect(mapped.count == 41 && mapped.hasPrefix("s") && WeComUserID.isValid(mapped))
        #expect(WeComUserID.forSourceID("bob smith") == mapped)
        // "第一个字符必须是数字或字母".
        #expect(!WeComUserID.isValid("_alice") && WeComUserID.forSourceID("_alice") != "_alice")
        #expect(!WeComUserID.isValid(String(repeating: "a", count: 65)) && !WeComUserID.isValid("张三"))
    }
}
