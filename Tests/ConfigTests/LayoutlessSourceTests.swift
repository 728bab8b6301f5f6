import ChatDirectories
import Config
import Directory
import SCIMSource
import SCIMTarget
import Testing

/// A source without a layout of its own (a SCIM provider, a chat platform) is read through the
/// target's: a SQL target's tables or a chat platform's fields. Without a parent when the
/// source's groups have none, so that reconciliation compares no parents
/// (`ReconcileRules.compareParents` needs both layouts to have one); a SCIM target maps
/// nothing and is refused.
@Suite struct LayoutlessSourceTests {
    let kinds = [
        SCIMSourceConfig.configKind, SCIMTargetConfig.configKind, DingTalkSourceConfig.configKind,
        DingTalkTargetConfig.configKind, WeComTargetConfig.configKind, FeishuTargetConfig.configKind,
    ]
    let environment = [
        "SCIM_TOKEN": "scim-token-1", "DINGTALK_APP_SECRET": "ding-s3cret", "WECOM_APP_SECRET": "wecom-app-s3cret",
        "WECOM_CONTACT_SECRET": "wecom-contact-s3cret", "FEISHU_APP_SECRET": "feishu-s3cret",
    ]

    static let scimSource = #"scim: { url: "https://idp.example.com/scim/v2", token: "${SCIM_TOKEN}" }"#
    static let dingtalkSource = #"dingtalk: { appKey: dingsource00000001, appSecret: "${DINGTALK_APP_SECRET}" }"#
    static let targets = [
        "dingtalk": #"dingtalk: { appKey: dingtarget00000001, appSecret: "${DINGTALK_APP_SECRET}" }"#,
        "wecom": #"wecom: { corpId: ww5im0000000000001, appSecret: "${WECOM_APP_SECRET}", contactSecret: "${WECOM_CONTACT_SECRET}" }"#,
        "feishu": #"feishu: { appId: cli_a1b2c3d4e5f60718, appSecret: "${FEISHU_APP_SECRET}" }"#,
        "scim": #"scim: { url: "https://sp.example.com/scim/v2", token: "${SCIM_TOKEN}" }"#,
        "sqlite": """
            sqlite: { path: /tmp/portal.db }
                  layout:
                    users: { table: portal_users, attributes: { id: id, userName: login } }
                    groups: { table: portal_groups, parent: parent_id, attributes: { id: id, displayName: title } }
                    membership: { table: portal_memberships, user: user_id, group: group_id }
            """,
    ]

    func text(source: String, target: String) -> String {
        """
        pipelines:
          - name: p
            source:
              \(source)
            target:
              \(target)
            onDelete: delete
        """
    }

    func pipeline(source: String, target: String) throws -> PipelineConfig {
        let config = try ConfigLoader.parse(text(source: source, target: target), file: "f.yaml", kinds: kinds, environment: environment)
        return try #require(config.pipelines.first)
    }

    func errors(source: String, target: String) -> [String] {
        do {
            _ = try ConfigLoader.parse(text(source: source, target: target), file: "f.yaml", kinds: kinds, environment: environment)
            return []
        } catch {
            return error.description.split(separator: "\n").map(String.init)
        }
    }

    /// config/dingtalk-from-scim.yaml loads: a SCIM source written to DingTalk, compared
    /// through DingTalk's fields without the department tree.
    @Test func theExampleLoads() throws {
        let config = try ConfigLoader.load(
            path: RepositoryFiles.path("config/dingtalk-from-scim.yaml"), kinds: kinds,
            environment: ["SCIM_TOKEN": "scim-token-1", "DINGTALK_APP_SECRET": "ding-s3cret"])
        let pipeline = try #require(config.pipelines.first)
        #expect(pipeline.name == "idp-to-dingtalk" && pipeline.onDelete == .delete)
        let scim = try #require(pipeline.source.settings(SCIMSourceConfig.self))
        #expect(scim.url == "http://127.0.0.1:8080" && scim.token == "scim-token-1")
        let dingtalk = try #require(pipeline.target.settings(DingTalkTargetConfig.self))
        #expect(dingtalk.appSecret == "ding-s3cret" && dingtalk.defaultDepartment == 1 && dingtalk.deactivatedDepartment == nil)
        #expect(dingtalk.users.entries.map(\.column) == ["userid", "name", "mobile", "email", "title"])
        #expect(pipeline.sourceLayout.users.attributes.entries.map(\.column) == pipeline.targetLayout.users.attributes.entries.map(\.column))
        #expect(pipeline.sourceLayout.groups?.parent == nil)
        #expect(pipeline.targetLayout.groups?.parent == "parent_id")
        #expect(!"\(pipeline)".contains("ding-s3cret") && !"\(pipeline)".contains("scim-token-1"))
    }

    /// A SCIM source into each chat platform and into a SQL target whose groups have a parent:
    /// the target's layout stands in for the source's, without the parent.
    @Test(arguments: ["dingtalk", "wecom", "feishu", "sqlite"])
    func aSCIMSourceIsReadThroughTheTargetsLayoutWithoutParents(_ target: String) throws {
        let pipeline = try pipeline(source: Self.scimSource, target: Self.targets[target] ?? "")
        #expect(pipeline.target.kind == target)
        #expect(pipeline.sourceLayout.groups?.parent == nil, "\(target)")
        #expect(pipeline.targetLayout.groups?.parent != nil, "\(target)")
        // Everything else of the target's layout stands in as it is.
        var expected = pipeline.targetLayout
        expected.groups?.parent = nil
        #expect(pipeline.sourceLayout == expected, "\(target)")
    }

    /// A chat platform's departments have parents: written to another platform, the target's
    /// layout stands in with its parent, and the department tree is compared.
    @Test func aChatSourceKeepsItsParents() throws {
        let pipeline = try pipeline(source: Self.dingtalkSource, target: Self.targets["wecom"] ?? "")
        #expect(pipeline.sourceLayout.groups?.parent == "parentid")
        #expect(pipeline.targetLayout.groups?.parent == "parentid")
    }

    /// Neither side maps the directory: refused on the target's key, with what would do.
    @Test func aSCIMSourceIntoASCIMTargetIsRefused() {
        #expect(errors(source: Self.scimSource, target: Self.targets["scim"] ?? "") == [
            "f.yaml: pipelines[0].target.scim: a scim source cannot write to a scim target: neither maps the directory; "
                + "use a SQL target (mysql, postgres, sqlite or sqlserver) with a layout, or a chat platform "
                + "(dingtalk, wecom or feishu)"
        ])
        #expect(errors(source: Self.dingtalkSource, target: Self.targets["scim"] ?? "") == [
            "f.yaml: pipelines[0].target.scim: a dingtalk source cannot write to a scim target: neither maps the directory; "
                + "use a SQL target (mysql, postgres, sqlite or sqlserver) with a layout, or a chat platform "
                + "(dingtalk, wecom or feishu)"
        ])
    }
}
