import ChatDirectories
import Config
import Daemon
import Directory
import Foundation
import Logging
import TargetKinds
import Testing

/// config/feishu-from-mariadb.yaml loads, and the `feishu` target block's mistakes are reported
/// with the file and their key paths (never with the secret).
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

    func issues(_ block: String, environment: [String: String] = ["FEISHU_APP_SECRET": "s3cret-value", "PW": "pw"]) -> String {
        let text = """
            pipelines:
              - name: p
                source:
                  mysql: { host: db, user: repl, password: "${PW}", database: hr, serverId: 7 }
                  layout:
                    users: { table: u, attributes: { id: id, displayName: name } }
                target:
                  feishu:
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
        let written = issues("appId: cli_x\nappSecret: plain-secret-in-file")
        #expect(written.contains("f.yaml"), "\(written)")
        #expect(written.contains("pipelines[0].target.feishu.appSecret: give the secret through the environment"), "\(written)")
        #expect(!written.contains("plain-secret-in-file"))
        #expect(issues("appId: cli_x\nappSecret: \"${FEISHU_APP_SECRET}\"") == "")
        #expect(issues("appId: cli_x").contains("pipelines[0].target.feishu: missing \"appSecret\""))
    }

    @Test func keysAndFieldsAreChecked() {
        let secret = "appId: cli_x\nappSecret: \"${FEISHU_APP_SECRET}\"\n"
        let unknownKey = issues(secret + "defaultDept: \"3\"")
        #expect(unknownKey.contains("pipelines[0].target.feishu"), "\(unknownKey)")
        #expect(unknownKey.contains("defaultDepartment"), "\(unknownKey)")
        let field = issues(secret + "attributes: { users: { displayName: name, userName: user_id } }")
        #expect(
            field.contains("pipelines[0].target.feishu.attributes.users.userName: not a Feishu user field scimsync writes"),
            "\(field)")
        let nameless = issues(secret + "attributes: { users: { title: job_title } }")
        #expect(nameless.contains("map a SCIM attribute to name"), "\(nameless)")
        let twice = issues(secret + "attributes: { users: { displayName: name, name.formatted: name } }")
        #expect(twice.contains("name is written from one SCIM attribute only"), "\(twice)")
        let department = issues(secret + "defaultDepartment: od-123")
        #expect(department.contains("pipelines[0].target.feishu.defaultDepartment: a department_id"), "\(department)")
        let type = issues(secret + "employeeType: 0")
        #expect(type.contains("pipelines[0].target.feishu.employeeType"), "\(type)")
        #expect(issues(secret + "defaultDepartment: staff-pool\nemployeeType: 2") == "")
    }

    /// A target kind of its own: the registry opens a Feishu connector for the block, also
    /// under `onDelete: deactivate` (Feishu freezes the user).
    @Test func theRegistryOpensIt() throws {
        let text = """
            pipelines:
              - name: p
                source:
                  mysql: { host: db, user: repl, password: "${PW}", database: hr, serverId: 7 }
                  layout:
                    users: { table: u, attributes: { id: id, displayName: name } }
                target:
                  feishu: { appId: cli_x, appSecret: "${S}" }
                onDelete: deactivate
            """
        let config = try ConfigLoader.parse(text, file: "f.yaml", kinds: kinds, environment: ["S": "secret-value", "PW": "pw"])
        let pipeline = try #require(config.pipelines.first)
        let connector = try TargetKinds.registry.connector(for: pipeline, store: nil, logger: Logger(label: "test"))
        #expect(connector is FeishuTargetConnector)
    }

    @Test func idsAreTheSourceIDsWhenValid() {
        #expect(FeishuTargetID.forSourceID("alice.chen@corp") == "alice.chen@corp")
        #expect(FeishuTargetID.forSourceID("10") == "10")
        let mapped = FeishuTargetID.forSourceID("bob smith")
        #expect(mapped.count == 41 && mapped.hasPrefix("s") && FeishuTargetID.isValid(mapped))
        #expect(FeishuTargetID.forSourceID("bob smith") == mapped)
        for invalid in [String(repeating: "a", count: 65), "张三", "od-123", "0", "_x", ""] {
            #expect(!FeishuTargetID.isValid(invalid), "\(invalid)")
        }
    }
}
