import Config
import SCIMSource
import SCIMTarget
import Testing

/// The kinds that decode their own blocks: a SCIM provider as a source and as a target.
private let scimKinds = [SCIMSourceConfig.configKind, SCIMTargetConfig.configKind]

/// `target: { scim: { url, token, membersPerPatch } }`.
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
        try ConfigLoader.parse(text, file: "scimsync.yaml", kinds: scimKinds, environment: environment)
    }

    func errors(_ text: String) -> [String] {
        do {
            _ = try ConfigLoader.parse(text, file: "scimsync.yaml", kinds: scimKinds, environment: ["PW": "p", "SCIM_TOKEN": "t"])
            return []
        } catch {
            return error.description.split(separator: "\n").map(String.init)
        }
    }

    @Test func aSCIMTargetLoads() throws {
        let pipeline = try #require(try parse(Self.base).pipelines.first)
        #expect(pipeline.target == .block(kind: "scim", settings: AnyKindSettings(SCIMTargetConfig(url: "https://idp.example.com/scim/v2", token: "s3cret-token-value"))))
        #expect(pipeline.target.kind == "scim")
        #expect(pipeline.target.sql == nil)
        #expect(pipeline.adopt)
    }

    @Test func membersPerPatchDefaultsTo100AndCanBeSet() throws {
        guard let config = try parse(Self.base).pipelines.first?.target.settings(SCIMTargetConfig.self) else {
            Issue.record("not a scim target")
            return
        }
        #expect(config.membersPerPatch == 100)
        let text = Self.base.replacingOccurrences(of: #"token: "${SCIM_TOKEN}" }"#, with: #"token: "${SCIM_TOKEN}", membersPerPatch: 25 }"#)
        guard let custom = try parse(text).pipelines.first?.target.settings(SCIMTargetConfig.self) else {
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

    @Test(arguments: [
        ("https://admin:hunter2-secret@idp.example.com/scim/v2", "must not hold a user name or password"),
        ("https://idp.example.com/scim/v2?api_key=hunter2-secret", "must not have a query string or fragment"),
        ("https://idp.example.com/scim/v2#hunter2-secret", "must not have a query string or fragment"),
    ])
    func aURLWithSecretsIsRefusedWithoutRepeatingThem(url: String, problem: String) {
        let text = Self.base.replacingOccurrences(of: "https://idp.example.com/scim/v2", with: url)
        let found = errors(text)
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("scimsync.yaml: pipelines[0].target.scim.url: \(problem)") == true)
        #expect(found.allSatisfy { !$0.contains("hunter2") }, "printed: \(found)")
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
            "scimsync.yaml: pipelines[0].target: has 2 connections (scim, sqlite); give exactly one of mysql, postgres, sqlite, sqlserver, scim"
        ])
    }
}
