import ChatDirectories
import Config
import Directory
import Foundation
import Testing

/// config/dingtalk-to-sqlite.yaml and config/dingtalk-as-scim.yaml load, and the `dingtalk`
/// block's mistakes are reported with their key paths (never with the secret).
@Suite struct DingTalkConfigTests {
    let kinds = [DingTalkSourceConfig.configKind]

    @Test(arguments: ["config/dingtalk-to-sqlite.yaml", "config/dingtalk-as-scim.yaml"])
    func theExamplesLoad(file: String) throws {
        let config = try ConfigLoader.load(
            path: FeishuSim.repositoryRoot + "/" + file, kinds: kinds,
            environment: ["DINGTALK_APP_SECRET": "s3cret-value", "SCIM_TOKEN": "a-scim-token-of-some-length"])
        let pipeline = try #require(config.pipelines.first)
        let dingtalk = try #require(pipeline.source.settings(DingTalkSourceConfig.self))
        #expect(dingtalk.appKey == "dingabcdefghijklmnop" && dingtalk.appSecret == "s3cret-value")
        #expect(dingtalk.baseURL == "https://oapi.dingtalk.com" && dingtalk.pageSize == 100)
        #expect(dingtalk.users.idColumn == "userid" && dingtalk.groups.idColumn == "dept_id")
        #expect(dingtalk.users.entries.map(\.column) == ["userid", "userid", "name", "email", "title", "job_number", "listed"])
        #expect(pipeline.target.sql?.layout.groups?.parent == "parent")
        #expect(!"\(pipeline.source)".contains("s3cret") && !String(reflecting: dingtalk).contains("s3cret"))
        #expect((config.scim != nil) == file.hasSuffix("as-scim.yaml"))
    }

    func issues(_ block: String, environment: [String: String] = ["DINGTALK_APP_SECRET": "s3cret-value"]) -> String {
        let text = """
            pipelines:
              - name: p
                source:
                  dingtalk:
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
        let written = issues("appKey: dingx\nappSecret: plain-secret-in-file")
        #expect(written.contains("pipelines[0].source.dingtalk.appSecret: give the secret through the environment"), "\(written)")
        #expect(!written.contains("plain-secret-in-file"))
        #expect(issues("appKey: dingx\nappSecret: \"${DINGTALK_APP_SECRET}\"") == "")
        #expect(issues("appKey: dingx").contains("pipelines[0].source.dingtalk: missing \"appSecret\""))
    }

    @Test func attributeMapsNameDingTalkFields() {
        let secret = "appKey: dingx\nappSecret: \"${DINGTALK_APP_SECRET}\"\n"
        let unknown = issues(secret + "attributes: { users: { userName: user_id } }")
        #expect(unknown.contains("pipelines[0].source.dingtalk.attributes.users.userName: not a DingTalk user field"), "\(unknown)")
        let id = issues(secret + "attributes: { groups: { id: name, displayName: name } }")
        #expect(id.contains("attributes.groups.id: id is always DingTalk's dept_id"), "\(id)")
        #expect(issues(secret + "attributes: { users: { active: \"!name\" } }").contains("\"!\" negates a boolean field"))
        // A listing's `leader` is the listed department's: not a field of the merged user.
        #expect(issues(secret + "attributes: { users: { title: leader } }").contains("not a DingTalk user field"))
        #expect(
            issues(secret + "pageSize: 101").contains("pipelines[0].source.dingtalk.pageSize: expected a whole number from 1 to 100"))
        #expect(issues(secret + "attributes: { users: { userName: email, active: \"!hide_mobile\" } }") == "")
        #expect(issues(secret + "attributes: { users: { userName: email, active: listed } }") == "")
        #expect(issues(secret + "attributes: { groups: { displayName: listed } }").contains("not a DingTalk department field"))
    }
}
