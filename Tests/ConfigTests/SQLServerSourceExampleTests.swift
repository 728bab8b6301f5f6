import Config
import Directory
import Testing

/// config/sqlserver-to-sqlite.yaml loads: a SQL Server source with the seed layout.
@Suite struct SQLServerSourceExampleTests {
    @Test func sqlserverToSQLiteLoads() throws {
        let config = try ConfigLoader.load(
            path: RepositoryFiles.path("config/sqlserver-to-sqlite.yaml"), kinds: [],
            environment: ["HR_MSSQL_PASSWORD": "secret", "HR_MSSQL_PORT": "14330"])
        let pipeline = try #require(config.pipelines.first)
        #expect(pipeline.name == "hr-mssql-to-portal")
        guard case .sqlserver(let source)? = pipeline.source.sql?.connection else {
            Issue.record("source should be sqlserver, is \(pipeline.source.kind)")
            return
        }
        #expect(
            source
                == SQLServerConnectionConfig(
                    host: "127.0.0.1", port: 14330, user: "scimsync", password: "secret", database: "hr", schema: "dbo",
                    encryption: .require, pollMilliseconds: 1000))
        #expect(pipeline.source.sql?.layout.membership?.table == "sync_users_groups_rel")
        guard case .sqlite = pipeline.target.sql?.connection else {
            Issue.record("target should be sqlite, is \(pipeline.target.kind)")
            return
        }
    }
}
