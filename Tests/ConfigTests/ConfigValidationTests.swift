import Config
import Directory
import SCIMSource
import SCIMTarget
import Testing

/// The kinds that decode their own blocks, as this build lists them.
private let scimKinds = [SCIMSourceConfig.configKind, SCIMTargetConfig.configKind]

/// Broken configurations: each must fail with the file, the key path and what is allowed.
@Suite struct ConfigValidationTests {
    /// A valid one-pipeline config; tests replace one line to break it.
    static let valid = """
        pipelines:
          - name: hr
            source:
              mysql: { host: db, user: repl, password: "${PW}", database: hr, serverId: 7 }
              layout:
                users:
                  table: sync_users
                  attributes: { id: id, userName: username }
            target:
              sqlite: { path: /tmp/portal.db }
              layout:
                users: { table: portal_users, attributes: { id: id, userName: login } }
        """

    func errors(_ text: String, environment: [String: String] = ["PW": "secret"]) -> [String] {
        do {
            _ = try ConfigLoader.parse(text, file: "scimsync.yaml", kinds: scimKinds, environment: environment)
            return []
        } catch {
            return error.description.split(separator: "\n").map(String.init)
        }
    }

    @Test func theValidBaseLoads() throws {
        let config = try ConfigLoader.parse(Self.valid, file: "scimsync.yaml", kinds: scimKinds, environment: ["PW": "secret"])
        #expect(config.pipelines.map(\.name) == ["hr"])
        #expect(config.offsets.path == "offsets.db")
        #expect(config.scim == nil)
    }

    /// A secret written in the file works, with a warning naming its key and never its value.
    @Test func aSecretWrittenInTheFileIsWarnedAbout() throws {
        #expect(try ConfigLoader.parse(Self.valid, file: "scimsync.yaml", kinds: scimKinds, environment: ["PW": "secret"]).warnings.isEmpty)
        let inline = Self.valid.replacingFirst(#"password: "${PW}""#, with: "password: hunter2-hunter2")
        let warnings = try ConfigLoader.parse(inline, file: "scimsync.yaml", kinds: scimKinds, environment: [:]).warnings
        #expect(warnings.count == 1)
        #expect(warnings.first?.hasPrefix("scimsync.yaml: pipelines[0].source.mysql.password is written in the file") == true)
        #expect(warnings.first?.contains("hunter2") == false)
    }

    @Test func noIdMapping() {
        let text = Self.valid.replacingFirst("attributes: { id: id, userName: username }", with: "attributes: { userName: username }")
        #expect(errors(text) == [#"scimsync.yaml: pipelines[0].source.layout.users.attributes: no mapping for "id""#])
    }

    @Test func unknownKeyWithSuggestion() {
        let text = Self.valid.replacingFirst("mysql: { host: db,", with: "mysql: { hots: db, host: db,")
        #expect(errors(text) == [
            #"scimsync.yaml: pipelines[0].source.mysql: unknown key "hots" (did you mean "host"?); allowed: host, port, user, password, database, serverId"#
        ])
    }

    @Test func unknownTopLevelKey() {
        let text = "pipeline:\n  - name: x\n"
        #expect(errors(text) == [
            #"scimsync.yaml: unknown key "pipeline" (did you mean "pipelines"?); allowed: offsets, http, pipelines, scim, journal"#,
            #"scimsync.yaml: nothing to do: give "pipelines" (replication) or "scim" (scimsync serve)"#,
        ])
    }

    @Test func missingEnvironmentVariable() {
        #expect(errors(Self.valid, environment: [:]) == [
            "scimsync.yaml: pipelines[0].source.mysql.password: environment variable PW is not set (export it, or write ${PW:-default})"
        ])
    }

    @Test func serverIdIsOnlyForSources() {
        let text = Self.valid.replacingFirst("sqlite: { path: /tmp/portal.db }", with: "mysql: { host: db, user: u, database: portal, serverId: 3 }")
        #expect(errors(text) == [
            #"scimsync.yaml: pipelines[0].target.mysql: unknown key "serverId"; allowed: host, port, user, password, database"#
        ])
    }

    @Test func portOutOfRange() {
        let text = Self.valid.replacingFirst("host: db,", with: "host: db, port: 70000,")
        #expect(errors(text) == [#"scimsync.yaml: pipelines[0].source.mysql.port: expected a whole number from 1 to 65535, found "70000""#])
    }

    @Test func sourceKindNotYetSupported() {
        let text = Self.valid.replacingFirst("mysql: { host: db, user: repl, password: \"${PW}\", database: hr, serverId: 7 }", with: "feed: { dir: /tmp }")
        #expect(errors(text) == [
            "scimsync.yaml: pipelines[0].source.feed: feed sources are not supported by this version; use mysql, sqlserver, scim"
        ])
    }

    /// A kind that decodes its own block is known only when the build's registries list it.
    @Test func aKindTheBuildDoesNotListIsUnknown() {
        let text = Self.valid.replacingFirst(
            "sqlite: { path: /tmp/portal.db }", with: #"scim: { url: "https://idp.example.com/scim/v2", token: t }"#)
        // Listed: the block is the scim kind's (which takes no layout).
        #expect(errors(text).contains { $0.contains("a scim target has no layout") }, "\(errors(text))")
        do {
            _ = try ConfigLoader.parse(text, file: "f", environment: ["PW": "x"])
            Issue.record("a scim target loaded without the scim kind")
        } catch {
            #expect(error.issues.map(\.description).contains {
                $0.contains(#"unknown key "scim""#) && $0.contains("allowed: mysql, postgres, sqlite, sqlserver, layout")
            }, "\(error)")
        }
    }

    @Test func twoConnections() {
        let text = Self.valid.replacingFirst("sqlite: { path: /tmp/portal.db }", with: "sqlite: { path: /tmp/portal.db }\n      postgres: { host: h, user: u, database: d }")
        #expect(errors(text) == [
            "scimsync.yaml: pipelines[0].target: has 2 connections (sqlite, postgres); give exactly one of mysql, postgres, sqlite, sqlserver, scim"
        ])
    }

    @Test func missingRequiredKeys() {
        let text = Self.valid.replacingFirst("mysql: { host: db, user: repl,", with: "mysql: {")
        #expect(errors(text) == [
            #"scimsync.yaml: pipelines[0].source.mysql: missing "host" (the server's address)"#,
            #"scimsync.yaml: pipelines[0].source.mysql: missing "user" (the account to connect as)"#,
        ])
    }

    @Test func badOnDeleteAndReconcile() {
        let text = Self.valid + "\n    onDelete: deactivte\n    reconcile: { every: 6 hours, maxRemovals: 120% }"
        #expect(errors(text) == [
            #"scimsync.yaml: pipelines[0].onDelete: "deactivte" is not allowed (did you mean "deactivate"?); allowed: delete, deactivate"#,
            #"scimsync.yaml: pipelines[0].reconcile.every: expected a duration such as 30m, 6h, 1d or 1h30m, or off; found "6 hours""#,
            #"scimsync.yaml: pipelines[0].reconcile.maxRemovals: expected a share such as 10% or a count such as 500; found "120%""#,
        ])
    }

    @Test func reconcileSettings() throws {
        let text = Self.valid + "\n    onDelete: delete\n    adopt: true\n    reconcile: { every: 1h30m, maxRemovals: 250 }"
        let pipeline = try #require(try ConfigLoader.parse(text, file: "f", kinds: scimKinds, environment: ["PW": "x"]).pipelines.first)
        #expect(pipeline.onDelete == .delete)
        #expect(pipeline.adopt)
        #expect(pipeline.reconcile == ReconcileConfig(everySeconds: 5400, maxRemovals: .count(250)))
    }

    @Test func duplicatePipelineNames() {
        let second = Self.valid.split(separator: "\n").dropFirst().joined(separator: "\n")
        #expect(errors(Self.valid + "\n" + second) == [
            #"scimsync.yaml: pipelines[1].name: "hr" names two pipelines; names must be unique"#
        ])
    }

    @Test func badAttributePathIsQuotedInTheKeyPath() {
        let text = Self.valid.replacingFirst("attributes: { id: id, userName: username }", with: #"attributes: { id: id, "emails[type eq ": mail }"#)
        let lines = errors(text)
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix(#"scimsync.yaml: pipelines[0].source.layout.users.attributes."emails[type eq ": not a SCIM attribute path: "#) == true)
    }

    /// Keys that are no SCIM attribute would map nothing: each is named with what to write.
    @Test func attributeKeysMustBeSchemaAttributes() {
        let notUser = "not an attribute of the SCIM User schema (RFC 7643 §4.1)"
        let urn = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
        let text = Self.valid.replacingFirst(
            "attributes: { id: id, userName: username }",
            with: "attributes: { id: id, userName: username, email: mail, phone: tel, givenname: first, employeeNumber: emp_no, name.first: f }")
        #expect(errors(text) == [
            #"scimsync.yaml: pipelines[0].source.layout.users.attributes.email: \#(notUser); did you mean emails[type eq "work"].value?"#,
            #"scimsync.yaml: pipelines[0].source.layout.users.attributes.phone: \#(notUser); did you mean phoneNumbers[type eq "work"].value?"#,
            "scimsync.yaml: pipelines[0].source.layout.users.attributes.givenname: \(notUser); did you mean name.givenName?",
            "scimsync.yaml: pipelines[0].source.layout.users.attributes.employeeNumber: employeeNumber belongs to the"
                + " EnterpriseUser extension: write the URN-qualified path \(urn):employeeNumber",
            #"scimsync.yaml: pipelines[0].source.layout.users.attributes."name.first": name has no sub-attribute "first"; it has formatted, familyName, givenName, middleName, honorificPrefix, honorificSuffix"#,
        ])
    }

    @Test func groupAttributeKeysMustBeGroupAttributes() {
        let text = Self.valid.replacingFirst(
            "users: { table: portal_users, attributes: { id: id, userName: login } }",
            with: #"users: { table: portal_users, attributes: { id: id, userName: login } }\#n        groups: { table: portal_groups, attributes: { id: id, name: title, 'emails[type eq "work"].value': mail } }"#)
        #expect(errors(text) == [
            "scimsync.yaml: pipelines[0].target.layout.groups.attributes.name: not an attribute of the SCIM Group schema"
                + " (RFC 7643 §4.2); did you mean displayName?",
            #"scimsync.yaml: pipelines[0].target.layout.groups.attributes."emails[type eq \"work\"].value": not an attribute of the SCIM Group schema (RFC 7643 §4.2); map one such as displayName or externalId"#,
        ])
    }

    @Test func injectionLookingIdentifiersAreRefused() {
        let text = Self.valid.replacingFirst("table: sync_users", with: #"table: "users; DROP TABLE x""#)
        let lines = errors(text)
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("scimsync.yaml: pipelines[0].source.layout.users.table: ") == true)
    }

    @Test func yamlSyntaxError() {
        let lines = errors("pipelines:\n  - name: [unclosed\n")
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("scimsync.yaml: not valid YAML: ") == true)
        #expect(lines.first?.contains("line ") == true)
    }

    @Test func emptyFile() {
        #expect(errors("") == ["scimsync.yaml: the file is empty; see the README for an example"])
    }

    @Test func scimServerNeedsAStrongToken() {
        let text = """
            scim:
              token: short
              sqlite: { path: /tmp/dir.db }
              layout: { users: { table: u, attributes: { id: id } } }
            """
        #expect(errors(text) == ["scimsync.yaml: scim.token: is too short to be a secret; use at least 16 characters"])
    }

    @Test func scimServerLoads() throws {
        let text = """
            scim:
              port: 8443
              token: "${TOKEN}"
              postgres: { host: h, user: u, password: p, database: d }
              layout: { users: { table: u, attributes: { id: id, userName: login } } }
            """
        let config = try ConfigLoader.parse(text, file: "f", kinds: scimKinds, environment: ["TOKEN": "0123456789abcdef0123"])
        let scim = try #require(config.scim)
        #expect(scim.port == 8443)
        #expect(scim.token == "0123456789abcdef0123")
        #expect(scim.directory.connection == .postgres(PostgresConnectionConfig(host: "h", port: 5432, user: "u", password: "p", database: "d")))
    }

    @Test func relativePathsResolveAgainstTheConfigDirectory() throws {
        let text = Self.valid.replacingFirst("/tmp/portal.db", with: "data/portal.db") + "\noffsets: { path: state/offsets.db }"
        let config = try ConfigLoader.parse(text, file: "f", baseDirectory: "/etc/scimsync", kinds: scimKinds, environment: ["PW": "x"])
        #expect(config.offsets.path == "/etc/scimsync/state/offsets.db")
        #expect(config.pipelines.first?.target.sql?.connection == .sqlite(SQLiteConnectionConfig(path: "/etc/scimsync/data/portal.db")))
    }

    @Test func layoutTimeZones() throws {
        func zone(_ text: String) throws -> Directory.WallClockZone? {
            let config = try ConfigLoader.parse(
                Self.valid.replacingFirst("      layout:\n        users:\n          table: sync_users", with: "      layout:\n        timeZone: \(text)\n        users:\n          table: sync_users"),
                file: "f", environment: ["PW": "x"])
            return config.pipelines.first?.source.sql?.layout.timeZone
        }
        #expect(try zone("UTC") == .utc)
        #expect(try zone("\"+02:00\"")?.secondsFromUTC(atInstant: 0) == 7200)
        // Berlin: UTC+1 in January, UTC+2 in July.
        #expect(try zone("Europe/Berlin")?.secondsFromUTC(atInstant: 1_767_225_600) == 3600)
        #expect(try zone("Europe/Berlin")?.secondsFromUTC(atInstant: 1_782_864_000) == 7200)
        #expect(errors(Self.valid.replacingFirst("      layout:\n        users:\n          table: sync_users", with: "      layout:\n        timeZone: Mars/Olympus\n        users:\n          table: sync_users")) == [
            #"scimsync.yaml: pipelines[0].source.layout.timeZone: "Mars/Olympus" is not a time zone: use UTC, an offset such as +02:00, or a name such as Europe/Berlin"#
        ])
    }
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else {
            Issue.record("test setup: \"\(target)\" not found")
            return self
        }
        return replacingCharacters(in: range, with: replacement)
    }
}
