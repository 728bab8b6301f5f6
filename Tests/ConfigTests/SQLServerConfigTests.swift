import Config
import Testing

/// `sqlserver:` blocks: defaults, the source-only `poll`, and the mistakes each names.
@Suite struct SQLServerConfigTests {
    static let valid = """
        pipelines:
          - name: hr
            source:
              sqlserver: { host: db, user: scimsync, password: "${PW}", database: hr }
              layout:
                users: { table: sync_users, attributes: { id: id, userName: username } }
            target:
              sqlserver: { host: portal, port: 14330, user: w, password: "${PW}", database: portal, schema: sync, encrypt: off }
              layout:
                users: { table: portal_users, attributes: { id: id, userName: login } }
        """

    func parse(_ text: String) throws(ConfigError) -> ScimsyncConfig {
        try ConfigLoader.parse(text, file: "scimsync.yaml", environment: ["PW": "secret"])
    }

    func errors(_ text: String) -> [String] {
        do {
            _ = try parse(text)
            return []
        } catch {
            return error.description.split(separator: "\n").map(String.init)
        }
    }

    @Test func defaultsAndGivenValues() throws {
        let pipeline = try #require(try parse(Self.valid).pipelines.first)
        #expect(pipeline.source.sql?.connection == .sqlserver(SQLServerConnectionConfig(
            host: "db", port: 1433, user: "scimsync", password: "secret", database: "hr", schema: "dbo",
            encryption: .require, pollMilliseconds: 1000)))
        #expect(pipeline.target.sql?.connection == .sqlserver(SQLServerConnectionConfig(
            host: "portal", port: 14330, user: "w", password: "secret", database: "portal", schema: "sync",
            encryption: .off, pollMilliseconds: 1000)))
        #expect(pipeline.source.kind == "sqlserver")
    }

    @Test func descriptionLeavesThePasswordOut() throws {
        let pipeline = try #require(try parse(Self.valid).pipelines.first)
        let text = "\(pipeline.source.sql!.connection)"
        #expect(text == "sqlserver scimsync@db:1433/hr schema dbo")
        #expect(!text.contains("secret"))
    }

    @Test(arguments: [("250ms", 250), ("1s", 1000), ("2m", 120_000), ("1m30s", 90_000)])
    func pollDurations(text: String, milliseconds: Int) throws {
        let config = Self.valid.replacingFirst("database: hr }", with: "database: hr, poll: \(text) }")
        guard case .sqlserver(let source)? = try parse(config).pipelines.first?.source.sql?.connection else {
            Issue.record("not a sqlserver source")
            return
        }
        #expect(source.pollMilliseconds == milliseconds)
    }

    @Test(arguments: ["fast", "5ms", "2h", "10"])
    func pollOutOfRangeOrMalformed(text: String) {
        let config = Self.valid.replacingFirst("database: hr }", with: "database: hr, poll: \(text) }")
        #expect(errors(config) == [
            "scimsync.yaml: pipelines[0].source.sqlserver.poll: expected a duration between 10ms and 1h such as 1s or 250ms; found \"\(text)\""
        ])
    }

    @Test func pollIsForSourcesOnly() {
        let config = Self.valid.replacingFirst("schema: sync, encrypt: off }", with: "schema: sync, encrypt: off, poll: 1s }")
        #expect(errors(config).first?.hasPrefix(#"scimsync.yaml: pipelines[0].target.sqlserver: unknown key "poll""#) == true, "\(errors(config))")
    }

    @Test func encryptNamesItsChoices() {
        let config = Self.valid.replacingFirst("encrypt: off", with: "encrypt: yes")
        let found = errors(config)
        #expect(found.count == 1 && found[0].hasPrefix("scimsync.yaml: pipelines[0].target.sqlserver.encrypt:"), "\(found)")
        #expect(found.first?.contains("require") == true, "\(found)")
    }

    @Test func schemaMustBeAnIdentifier() {
        let config = Self.valid.replacingFirst("schema: sync", with: "schema: \"sync]; DROP TABLE x --\"")
        let found = errors(config)
        #expect(found.count == 1 && found[0].hasPrefix("scimsync.yaml: pipelines[0].target.sqlserver.schema:"), "\(found)")
    }
}

/// The change-tracking contexts of two pipelines that replicate in opposite directions.
@Suite struct EchoContextTests {
    static let mariaDB = ConnectionConfig.mysql(MySQLConnectionConfig(host: "HR", port: 3306, user: "a", password: "p", database: "hr"))
    static let sqlServer = ConnectionConfig.sqlserver(SQLServerConnectionConfig(host: "ms", user: "b", password: "q", database: "hr"))

    @Test func aWriteIsAnEchoOnlyForTheReaderWritingWhereItCameFrom() {
        let fromMariaDB = EchoContext.context(from: Self.mariaDB)
        // Same database, another user and password, the host in other case: the same context.
        let sameDatabase = ConnectionConfig.mysql(MySQLConnectionConfig(host: "hr", port: 3306, user: "z", password: "y", database: "hr"))
        #expect(EchoContext.context(from: sameDatabase) == fromMariaDB)
        let otherDatabase = ConnectionConfig.mysql(MySQLConnectionConfig(host: "hr", port: 3306, user: "a", password: "p", database: "crm"))
        #expect(EchoContext.context(from: otherDatabase) != fromMariaDB)
        #expect(EchoContext.context(from: Self.sqlServer) != fromMariaDB)
    }

    @Test func contextFitsVarbinary128AndHoldsNoSecret() {
        let context = EchoContext.context(from: Self.mariaDB)
        #expect(context.count <= 128)
        let text = String(decoding: context, as: UTF8.self)
        #expect(text.hasPrefix("scimsync:"))
        #expect(!text.contains("hr") && !text.contains("p"))
    }
}
