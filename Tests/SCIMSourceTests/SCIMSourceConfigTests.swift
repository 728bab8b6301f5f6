import Config
import SCIMSource
import SCIMTarget
import Testing

/// The kinds that decode their own blocks: a SCIM provider as a source and as a target.
private let scimKinds = [SCIMSourceConfig.configKind, SCIMTargetConfig.configKind]

/// `source: { scim: { url, token, pageSize, interval, poll } }`.
@Suite struct SCIMSourceConfigTests {
    static let base = """
        pipelines:
          - name: idp
            source:
              scim: { url: "https://idp.example.com/scim/v2", token: "${SCIM_TOKEN}", pageSize: 50, interval: 30m, poll: 30s }
            target:
              sqlite: { path: /tmp/portal.db }
              layout:
                users: { table: portal_users, attributes: { id: id, userName: login } }
        """

    func errors(_ text: String) -> [String] {
        do {
            _ = try ConfigLoader.parse(text, file: "scimsync.yaml", kinds: scimKinds, environment: ["SCIM_TOKEN": "t"])
            return []
        } catch {
            return error.description.split(separator: "\n").map(String.init)
        }
    }

    @Test func aSCIMSourceLoads() throws {
        let config = try ConfigLoader.parse(Self.base, file: "scimsync.yaml", kinds: scimKinds, environment: ["SCIM_TOKEN": "secret-token-1"])
        let pipeline = try #require(config.pipelines.first)
        #expect(pipeline.source == .block(kind: "scim", settings: AnyKindSettings(SCIMSourceConfig(
            url: "https://idp.example.com/scim/v2", token: "secret-token-1", pageSize: 50, intervalSeconds: 1800, pollSeconds: 30))))
        #expect(!"\(pipeline.source)".contains("secret-token-1"))
        #expect(!String(reflecting: pipeline.source).contains("secret-token-1"))
    }

    @Test func defaultsAndPollOff() throws {
        let text = Self.base.replacingOccurrences(of: ", pageSize: 50, interval: 30m, poll: 30s", with: ", poll: off")
        let config = try ConfigLoader.parse(text, file: "scimsync.yaml", kinds: scimKinds, environment: ["SCIM_TOKEN": "t"])
        #expect(config.pipelines.first?.source == .block(kind: "scim", settings: AnyKindSettings(SCIMSourceConfig(
            url: "https://idp.example.com/scim/v2", token: "t", pageSize: 100, intervalSeconds: 3600, pollSeconds: nil))))
    }

    @Test func badValuesAreNamed() {
        let text = Self.base.replacingOccurrences(of: "interval: 30m, poll: 30s", with: "interval: off, poll: soon")
        #expect(errors(text) == [
            #"scimsync.yaml: pipelines[0].source.scim.interval: expected a duration such as 90s, 30m or 1h; found "off""#,
            #"scimsync.yaml: pipelines[0].source.scim.poll: expected a duration such as 90s, 30m or 1h, or off; found "soon""#,
        ])
    }

    /// Neither a SCIM source nor a SCIM target maps the directory: refused, naming the target's
    /// key and the targets that would do.
    @Test func aSCIMSourceNeedsATargetThatMapsTheDirectory() {
        let text = Self.base.replacingOccurrences(
            of: """
                  sqlite: { path: /tmp/portal.db }
                  layout:
                    users: { table: portal_users, attributes: { id: id, userName: login } }
            """, with: #"      scim: { url: "https://other.example.com/scim", token: x }"#)
        #expect(errors(text) == [
            "scimsync.yaml: pipelines[0].target.scim: a scim source cannot write to a scim target: neither maps the "
                + "directory; use a SQL target (mysql, postgres, sqlite or sqlserver) with a layout, or a chat platform "
                + "(dingtalk, wecom or feishu)"
        ])
    }

    @Test func aLayoutIsRefused() {
        let text = Self.base.replacingOccurrences(
            of: "poll: 30s }", with: "poll: 30s }\n      layout: { users: { table: t, attributes: { id: id } } }")
        #expect(errors(text) == [
            "scimsync.yaml: pipelines[0].source.layout: a scim source has no layout (the provider serves SCIM resources; "
                + "the target's layout maps them); remove it"
        ])
    }
}
