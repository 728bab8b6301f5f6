import ChatDirectories
import Config
import Directory
import Testing

/// config/wecom-to-sqlite.yaml loads, and the `wecom` block's mistakes are reported with their
/// key paths (never with a secret): above all a block without the secret reads need.
@Suite struct WeComSourceExampleTests {
    let kinds = [WeComSourceConfig.configKind]

    @Test func weComToSQLiteLoads() throws {
        let config = try ConfigLoader.load(
            path: RepositoryFiles.path("config/wecom-to-sqlite.yaml"), kinds: kinds,
            environment: ["WECOM_APP_SECRET": "s3cret-value"])
        let pipeline = try #require(config.pipelines.first)
        #expect(pipeline.name == "wecom-to-portal")
        let wecom = try #require(pipeline.source.settings(WeComSourceConfig.self))
        #expect(wecom.corpID == "ww5im0000000000001" && wecom.appSecret == "s3cret-value" && wecom.contactSecret == nil)
        #expect(wecom.baseURL == "https://qyapi.weixin.qq.com" && wecom.intervalSeconds == 3600)
        #expect(wecom.users.idColumn == "userid" && wecom.groups.idColumn == "id")
        #expect(wecom.users.entries.map(\.column) == ["userid", "userid", "name", "email", "position", "enabled"])
        #expect(wecom.groups.entries.map(\.column) == ["id", "name"])
        #expect(pipeline.target.sql?.layout.groups?.parent == "parent")
        #expect(!"\(pipeline.source)".contains("s3cret") && !String(reflecting: wecom).contains("s3cret"))
    }

    func issues(_ block: String, environment: [String: String] = ["APP": "app-s3cret", "CONTACT": "contact-s3cret"]) -> String {
        let text = """
            pipelines:
              - name: p
                source:
                  wecom:
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

    /// Reads need the app's secret: a block with only the contact-sync secret is refused with
    /// the key and what that secret is.
    @Test func theSecretReadsNeedIsRequired() {
        let missing = issues("corpId: ww1\ncontactSecret: \"${CONTACT}\"")
        #expect(
            missing.contains(
                "pipelines[0].source.wecom: missing \"appSecret\" (the self-built app's Secret (应用 Secret), which reads "
                    + "departments and users: every read needs it"),
            "\(missing)")
        #expect(missing.contains("The contact-sync Secret (contactSecret) writes and cannot read members' fields"))
        #expect(!missing.contains("s3cret"))
        #expect(issues("corpId: ww1\nappSecret: \"${APP}\"") == "")
        #expect(issues("corpId: ww1\nappSecret: \"${APP}\"\ncontactSecret: \"${CONTACT}\"") == "")
    }

    @Test func secretsComeFromTheEnvironmentAndDiffer() {
        let written = issues("corpId: ww1\nappSecret: plain-secret-in-file")
        #expect(written.contains("pipelines[0].source.wecom.appSecret: give the secret through the environment"))
        #expect(!written.contains("plain-secret-in-file"))
        let contact = issues("corpId: ww1\nappSecret: \"${APP}\"\ncontactSecret: plain-contact-in-file")
        #expect(contact.contains("pipelines[0].source.wecom.contactSecret: give the secret through the environment"))
        #expect(!contact.contains("plain-contact-in-file"))
        let same = issues("corpId: ww1\nappSecret: \"${APP}\"\ncontactSecret: \"${APP}\"")
        #expect(same.contains("pipelines[0].source.wecom.contactSecret: is the same secret as appSecret"), "\(same)")
        #expect(!same.contains("s3cret"))
        #expect(issues("appSecret: \"${APP}\"").contains("missing \"corpId\""))
    }

    @Test func attributeMapsNameWeComFields() {
        let secret = "corpId: ww1\nappSecret: \"${APP}\"\n"
        let unknown = issues(secret + "attributes: { users: { userName: mail } }")
        #expect(unknown.contains("pipelines[0].source.wecom.attributes.users.userName: not a WeCom member field"))
        let id = issues(secret + "attributes: { groups: { id: name, displayName: name } }")
        #expect(id.contains("attributes.groups.id: id is always the department's id"))
        let negated = issues(secret + "attributes: { users: { active: \"!name\" } }")
        #expect(negated.contains("\"!\" negates a boolean field (enabled)"))
        #expect(issues(secret + "attributes: { users: { userName: userid, active: \"!enabled\" } }") == "")
        #expect(issues(secret + "attributes: { groups: { displayName: name_en } }") == "")
        #expect(issues(secret + "interval: soon").contains("pipelines[0].source.wecom.interval: expected a duration"))
    }
}
