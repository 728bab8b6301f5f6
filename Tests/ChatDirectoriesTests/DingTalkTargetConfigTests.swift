import ChatDirectories
import Config
import Daemon
import Directory
import Foundation
import Logging
import TargetKinds
import Testing

/// config/dingtalk-from-mariadb.yaml loads, and the `dingtalk` target block's mistakes are
/// reported with the file and their key paths (never with the secret).
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

    func issues(_ block: String, environment: [String: String] = ["DINGTALK_APP_SECRET": "s3cret-value", "PW": "pw"]) -> String {
        let text = """
            pipelines:
              - name: p
                source:
                  mysql: { host: db, user: repl, password: "${PW}", database: hr, serverId: 7 }
                  layout:
                    users: { table: u, attributes: { id: id, displayName: name } }
                target:
                  dingtalk:
            \(block.split(separator: "\n").map { "        " + $0 }.joined(separator: "\n"))
            """
        do {
            _ = try ConfigLoader.parse(text, file: "f.yaml", kinds: kinds, environment: environment)
            return ""
        } catch {
            return "\(error)"
        }
    }

    @Test func theSecretComesFromTheEnvironment() {
        let written = issues("appKey: dingx\nappSecret: plain-secret-in-file")
        #expect(written.contains("f.yaml"), "\(written)")
        #expect(written.contains("pipelines[0].target.dingtalk.appSecret: give the secret through the environment"), "\(written)")
        #expect(!written.contains("plain-secret-in-file"))
        #expect(issues("appKey: dingx\nappSecret: \"${DINGTALK_APP_SECRET}\"") == "")
        #expect(issues("appKey: dingx").contains("pipelines[0].target.dingtalk: missing \"appSecret\""))
    }

    @Test func keysAndFieldsAreChecked() {
        let secret = "appKey: dingx\nappSecret: \"${DINGTALK_APP_SECRET}\"\n"
        let unknownKey = issues(secret + "defaultDept: 3")
        #expect(unknownKey.contains("pipelines[0].target.dingtalk"), "\(unknownKey)")
        #expect(unknownKey.contains("defaultDepartment"), "\(unknownKey)")
        let field = issues(secret + "attributes: { users: { displayName: name, userName: userid } }")
        #expect(
            field.contains("pipelines[0].target.dingtalk.attributes.users.userName: not a DingTalk user field scimsync writes"),
            "\(field)")
        let noName = issues(secret + "attributes: { groups: { description: name2 } }")
        #expect(noName.contains("pipelines[0].target.dingtalk.attributes.groups"), "\(noName)")
        let nameless = issues(secret + "attributes: { users: { title: title } }")
        #expect(nameless.contains("map a SCIM attribute to name"), "\(nameless)")
        let twice = issues(secret + "attributes: { users: { displayName: name, name.formatted: name } }")
        #expect(twice.contains("name is written from one SCIM attribute only"), "\(twice)")
        let department = issues(secret + "defaultDepartment: 0")
        #expect(department.contains("pipelines[0].target.dingtalk.defaultDepartment: expected a whole number"), "\(department)")
        #expect(issues(secret + "defaultDepartment: 42\ndeactivatedDepartment: 43") == "")
    }

    /// `onDelete: deactivate` needs a department to put deactivated users in.
    @Test func deactivateNeedsADepartment() throws {
        func connector(_ extra: String) throws -> (any Error)? {
            let text = """
                pipelines:
                  - name: p
                    source:
                      mysql: { host: db, user: repl, password: "${PW}", database: hr, serverId: 7 }
                      layout:
                        users: { table: u, attributes: { id: id, displayName: name } }
                    target:
                      dingtalk: { appKey: dingx, appSecret: "${S}"\(extra) }
                    onDelete: deactivate
                """
            let config = try ConfigLoader.parse(text, file: "f.yaml", kinds: kinds, environment: ["S": "secret-value", "PW": "pw"])
            let pipeline = try #require(config.pipelines.first)
            do {
                _ = try TargetKinds.registry.connector(for: pipeline, store: nil, logger: Logger(label: "test"))
                return nil
            } catch {
                return error
            }
        }
        let refused = try connector("")
        #expect("\(refused.map { "\($0)" } ?? "")".contains("target.dingtalk.deactivatedDepartment: onDelete: deactivate needs"))
        #expect(try connector(", deactivatedDepartment: 99") == nil)
    }

    @Test func userIDsAreTheSourceIDsWhenValid() {
        #expect(DingTalkUserID.forSourceID("alice.chen@corp") == "alice.chen@corp")
        let mapped = DingTalkUserID.forSourceID("bob smith")
        #expect(mapped.count == 41 && mapped.hasPrefix("s") && DingTalkUserID.isValid(mapped))
        #expect(DingTalkUserID.forSourceID("bob smith") == mapped)
        #expect(!DingTalkUserID.isValid(String(repeating: "a", count: 65)) && !DingTalkUserID.isValid("张三"))
    }
}
