import ChatDirectories
import Config
import Directory
import Testing

/// config/feishu-to-sqlite.yaml loads, and the `feishu` block's mistakes are reported with
/// their key paths (never with the secret).
@Suite struct FeishuSourceExampleTests {
    let kinds = [FeishuSourceConfig.configKind]

    @Test func feishuToSQLiteLoads() throws {
        let config = try ConfigLoader.load(
            path: RepositoryFiles.path("config/feishu-to-sqlite.yaml"), kinds: kinds,
            environment: ["FEISHU_APP_SECRET": "s3cret-value"])
        let pipeline = try #require(config.pipelines.first)
        #expect(pipeline.name == "feishu-to-portal")
        let feishu = try #require(pipeline.source.settings(FeishuSourceConfig.self))
        #expect(feishu.appID == "cli_a1b2c3d4e5f60718" && feishu.appSecret == "s3cret-value")
        #expect(feishu.baseURL == "https://open.feishu.cn" && feishu.intervalSeconds == 3600 && feishu.pageSize == 50)
        #expect(feishu.users.idColumn == "user_id" && feishu.groups.idColumn == "department_id")
        #expect(feishu.users.entries.map(\.column) == [
            "user_id", "email", "name", "email", "job_title", "employee_no", "!status.is_frozen",
        ])
        #expect(feishu.groups.entries.map(\.column) == ["department_id", "name"])
        #expect(pipeline.target.sql?.layout.groups?.parent == "parent")
        #expect(!"\(pipeline.source)".contains("s3cret") && !String(reflecting: feishu).contains("s3cret"))
        #expect(pipeline.sourceLayout.users.table == "portal_users")
    }

    func issues(_ block: String, environment: [String: String] = ["FEISHU_APP_SECRET": "s3cret-value"]) -> String {
        let text = """
            pipelines:
              - name: p
                source:
                  feishu:
            \(block.split(separator: "\n").map { "        " + $0 }.joined(separator: "\n"))
                target:
                  sqlite: { path: t.db }
                  layout:
                    users: { table: u, attributes: { id: id, userName: login } }
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
        #expect(written.contains("pipelines[0].source.feishu.appSecret: give the secret through the environment"))
        #expect(!written.contains("plain-secret-in-file"))
        #expect(issues("appId: cli_x\nappSecret: \"${FEISHU_APP_SECRET}\"") == "")
        #expect(issues("appId: cli_x").contains("pipelines[0].source.feishu: missing \"appSecret\""))
    }

    @Test func attributeMapsNameFeishuFields() {
        let secret = "appId: cli_x\nappSecret: \"${FEISHU_APP_SECRET}\"\n"
        let unknown = issues(secret + "attributes: { users: { userName: mail } }")
        #expect(unknown.contains("pipelines[0].source.feishu.attributes.users.userName: not a Feishu user field"))
        let id = issues(secret + "attributes: { groups: { id: open_department_id, displayName: name } }")
        #expect(id.contains("attributes.groups.id: id is always the tenant's own department_id"))
        let negated = issues(secret + "attributes: { users: { active: \"!name\" } }")
        #expect(negated.contains("\"!\" negates a boolean field"))
        #expect(issues(secret + "pageSize: 51").contains("pipelines[0].source.feishu.pageSize: expected a whole number from 1 to 50"))
        #expect(issues(secret + "attributes: { user: {} }").contains("unknown key \"user\" (did you mean \"users\"?)"))
        #expect(issues(secret + "attributes: { users: { userName: email, active: \"!status.is_frozen\" } }") == "")
    }
}
