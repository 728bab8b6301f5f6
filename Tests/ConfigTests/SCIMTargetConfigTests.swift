import Config
import Testing

/// `target: { scim: { url, token, membersPerPatch } }` (issue 6, part 2).
@Suite struct SCIMTargetConfigTests {
    static let base = """
        pipelines:
          - name: hr
            source:
              mysql: { host: db, user: repl, password: "${PW}", database: hr, serverId: 7 }
              layout:
                users: { table: sync_users, attributes: { id: id, userName: username } }
            target:
              scim: { url: "https://idp.example.com/scim/v2", token: "${SCIM_TOKEN}" }
            adopt: true
        """

    func parse(_ text: String, environment: [String: String] = ["PW": "p", "SCIM_TOKEN": "s3cret-token-value"]) throws
        -> ScimsyncConfig
    {
        try ConfigLoader.parse(text, file: "scimsync.yaml", environment: environment)
    }

    func errors(_ text: String) -> [String] {
        do {
            _ = try ConfigLoader.parse(text, file: "scimsync.yaml", environment: ["PW": "p", "SCIM_TOKEN": "t"])
            return []
        } catch {
            return error.description.split(separator: "\n").map(String.init)
        }
    }

    @Test func aSCIMTargetLoads() throws {
        let pipeline = try #require(try parse(Self.base).pipelines.first)
        #expect(pipeline.target == .scim(SCIMTargetConfig(url: "https://idp.example.com/scim/v2", token: "s3cret-token-value")))
        #expect(pipeline.target.kind == "scim")
        #expect(pipeline.target.sql == nil)
        #expect(pipeline.adopt)
    }

    @Test func membersPerPatchDefaultsTo100AndCanBeSet() throws {
        guard case .scim(let config)? = try parse(Self.base).pipelines.first?.target else {
            Issue.record("not a scim target")
            return
        }
        #expect(config.membersPerPatch == 100)
        let text = Self.base.replacingOccurrences(of: #"token: "${SCIM_TOKEN}" }"#, with: #"token: "${SCIM_TOKEN}", membersPerPatch: 25 }"#)
        guard case .scim(let custom)? = try parse(text).pipelines.first?.target else {
            Issue.record("not a scim target")
            return
        }
        #expect(custom.membersPerPatch == 25)
    }

    @Test func theTokenIsNeverPrinted() throws {
        let target = try #require(try parse(Self.base).pipelines.first?.target)
        for text in ["\(target)", String(reflecting: target), "\(try parse(Self.base))"] {
            #expect(!text.contains("s3cret-token-value"), "printed: \(text)")
        }
    }

    @Test func aLayoutIsRefused() {
        let text = Self.base.replacingOccurrences(
            of: #"token: "${SCIM_TOKEN}" }"#,
            with: #"token: "${SCIM_TOKEN}" }"# + "\n      layout: { users: { table: t, attributes: { id: id } } }")
        #expect(errors(text) == [
            "scimsync.yaml: pipelines[0].target.layout: a scim target has no layout (the provider speaks SCIM; the source "
                + "layout's attributes are sent as they are); remove it"
        ])
    }

    @Test func urlAndTokenAreChecked() {
        let text = Self.base.replacingOccurrences(
            of: #"scim: { url: "https://idp.example.com/scim/v2", token: "${SCIM_TOKEN}" }"#,
            with: #"scim: { url: "ftp://idp", membersPerPatch: 0 }"#)
        #expect(errors(text) == [
            #"scimsync.yaml: pipelines[0].target.scim.url: expected an http:// or https:// URL with a host; found "ftp://idp""#,
            #"scimsync.yaml: pipelines[0].target.scim: missing "token" (the bearer token; e.g. "${SCIM_TOKEN}")"#,
            #"scimsync.yaml: pipelines[0].target.scim.membersPerPatch: expected a whole number from 1 to 10000, found "0""#,
        ])
    }

    @Test func unknownKeysAreNamed() {
        let text = Self.base.replacingOccurrences(of: #"token: "${SCIM_TOKEN}" }"#, with: #"token: "${SCIM_TOKEN}", tokne: x }"#)
        #expect(errors(text) == [
            #"scimsync.yaml: pipelines[0].target.scim: unknown key "tokne" (did you mean "token"?); allowed: url, token, membersPerPatch"#
        ])
    }

    @Test func aSCIMTargetBesideASQLConnectionIsRefused() {
        let text = Self.base.replacingOccurrences(
            of: #"token: "${SCIM_TOKEN}" }"#, with: #"token: "${SCIM_TOKEN}" }"# + "\n      sqlite: { path: /tmp/p.db }")
        #expect(errors(text) == [
            "scimsync.yaml: pipelines[0].target: has 2 connections (scim, sqlite); give exactly one of mysql, postgres, sqlite, scim"
        ])
    }
}

/// `source: { scim: { url, token, pageSize, interval, poll } }` (issue 6, part 3).
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
            _ = try ConfigLoader.parse(text, file: "scimsync.yaml", environment: ["SCIM_TOKEN": "t"])
            return []
        } catch {
            return error.description.split(separator: "\n").map(String.init)
        }
    }

    @Test func aSCIMSourceLoads() throws {
        let config = try ConfigLoader.parse(Self.base, file: "scimsync.yaml", environment: ["SCIM_TOKEN": "secret-token-1"])
        let pipeline = try #require(config.pipelines.first)
        #expect(pipeline.source == .scim(SCIMSourceConfig(
            url: "https://idp.example.com/scim/v2", token: "secret-token-1", pageSize: 50, intervalSeconds: 1800, pollSeconds: 30)))
        #expect(!"\(pipeline.source)".contains("secret-token-1"))
        #expect(!String(reflecting: pipeline.source).contains("secret-token-1"))
    }

    @Test func defaultsAndPollOff() throws {
        let text = Self.base.replacingOccurrences(of: ", pageSize: 50, interval: 30m, poll: 30s", with: ", poll: off")
        let config = try ConfigLoader.parse(text, file: "scimsync.yaml", environment: ["SCIM_TOKEN": "t"])
        #expect(config.pipelines.first?.source == .scim(SCIMSourceConfig(
            url: "https://idp.example.com/scim/v2", token: "t", pageSize: 100, intervalSeconds: 3600, pollSeconds: nil)))
    }

    @Test func badValuesAreNamed() {
        let text = Self.base.replacingOccurrences(of: "interval: 30m, poll: 30s", with: "interval: off, poll: soon")
        #expect(errors(text) == [
            #"scimsync.yaml: pipelines[0].source.scim.interval: expected a duration such as 90s, 30m or 1h; found "off""#,
            #"scimsync.yaml: pipelines[0].source.scim.poll: expected a duration such as 90s, 30m or 1h, or off; found "soon""#,
        ])
    }

    @Test func aSCIMSourceNeedsASQLTarget() {
        let text = Self.base.replacingOccurrences(
            of: """
                  sqlite: { path: /tmp/portal.db }
                  layout:
                    users: { table: portal_users, attributes: { id: id, userName: login } }
            """, with: #"      scim: { url: "https://other.example.com/scim", token: x }"#)
        #expect(errors(text) == [
            "scimsync.yaml: pipelines[0].target: a scim source needs a SQL target (mysql, postgres or sqlite) with a layout"
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
