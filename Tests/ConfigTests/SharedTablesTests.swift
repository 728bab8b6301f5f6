import Config
import Testing

/// Pipelines that write one table twice, or write what another reads, load with a warning
/// naming both pipelines and the table.
@Suite struct SharedTablesTests {
    static func pipeline(_ name: String, sourceTable: String, target: String, table: String) -> String {
        """
          - name: \(name)
            source:
              mysql: { host: db, user: repl, password: "${PW}", database: hr, serverId: 7 }
              layout:
                users: { table: \(sourceTable), attributes: { id: id, userName: username } }
            target:
              \(target)
              layout:
                users: { table: \(table), attributes: { id: id, userName: login } }
        """
    }

    static func warnings(_ pipelines: String...) throws -> [String] {
        try ConfigLoader.parse(
            "pipelines:\n" + pipelines.joined(separator: "\n"), file: "scimsync.yaml", kinds: [], environment: ["PW": "secret"]
        ).warnings
    }

    @Test func twoPipelinesWritingOneTableAreWarnedAbout() throws {
        let warnings = try Self.warnings(
            Self.pipeline("a", sourceTable: "hr_a", target: "sqlite: { path: /tmp/portal.db }", table: "portal_users"),
            Self.pipeline("b", sourceTable: "hr_b", target: "sqlite: { path: /tmp/./portal.db }", table: "Portal_Users"))
        #expect(warnings.count == 1, "\(warnings)")
        #expect(
            warnings.first?.hasPrefix(
                "scimsync.yaml: pipelines[0] (a) and pipelines[1] (b) all write table portal_users of sqlite /tmp/portal.db") == true,
            "\(warnings)")
    }

    @Test func tablesOfOtherDatabasesOrNamesAreNotShared() throws {
        #expect(
            try Self.warnings(
                Self.pipeline("a", sourceTable: "hr_a", target: "sqlite: { path: /tmp/one.db }", table: "portal_users"),
                Self.pipeline("b", sourceTable: "hr_b", target: "sqlite: { path: /tmp/two.db }", table: "portal_users"),
                Self.pipeline("c", sourceTable: "hr_c", target: "sqlite: { path: /tmp/one.db }", table: "portal_people"),
                Self.pipeline(
                    "d", sourceTable: "hr_d", target: #"mysql: { host: db, user: w, password: "${PW}", database: other }"#,
                    table: "hr_a")
            ).isEmpty)
    }

    @Test func writingATableAPipelineReadsIsWarnedAbout() throws {
        let warnings = try Self.warnings(
            Self.pipeline("a", sourceTable: "hr_users", target: "sqlite: { path: /tmp/portal.db }", table: "portal_users"),
            Self.pipeline(
                "back", sourceTable: "hr_other",
                target: #"mysql: { host: db, user: w, password: "${PW}", database: hr }"#, table: "hr_users"))
        #expect(warnings.count == 1, "\(warnings)")
        #expect(
            warnings.first?.hasPrefix(
                "scimsync.yaml: pipelines[1] (back) writes table hr_users of mysql db:3306/hr, which pipelines[0] (a) reads") == true,
            "\(warnings)")
    }
}
