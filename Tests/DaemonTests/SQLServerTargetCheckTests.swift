import Config
import Daemon
import SourceKinds
import TargetKinds
import TestSupport
import Testing
import scimsync

/// `scimsync check` for a SQL Server target (the TDS test double): it connects, finds the
/// layout's tables and columns, and a column the table lacks gets a did-you-mean.
@Suite struct SQLServerTargetCheckTests {
    func run(_ config: ScimsyncConfig) async -> (Bool, [String]) {
        var lines: [String] = []
        let passed = await Preflight.run(config, sources: SourceKinds.registry, targets: TargetKinds.registry) {
            lines.append($0.line)
        }
        return (passed, lines)
    }

    @Test func tablesMadeByInitTargetPass() async throws {
        let fixture = try ExampleDirectories()
        let (config, server) = try SQLServerTargetPipelineTests.config(fixture)
        let (passed, lines) = await run(config)
        #expect(passed, "\(lines)")
        let target = lines.filter { $0.contains(" target: ") }
        #expect(target.count == 2, "\(lines)")
        #expect(target.first?.hasPrefix("ok    hr-to-portal target: connected to SQL Server ") == true, "\(target)")
        #expect(target.first?.hasSuffix("/\(server.database ?? "") schema dbo") == true, "\(target)")
        #expect(target.last == "ok    hr-to-portal target: tables portal_users, portal_groups, portal_memberships have every column the layout maps")
    }

    @Test func aWrongColumnGetsADidYouMean() async throws {
        let fixture = try ExampleDirectories()
        let (config, server) = try SQLServerTargetPipelineTests.config(fixture) {
            $0.replacingOccurrences(of: "name.givenName: given_name", with: "name.givenName: givn_name")
        }
        let (passed, lines) = await run(config)
        #expect(!passed)
        let database = try #require(server.database)
        #expect(lines.contains(
            #"FAIL  hr-to-portal target: table portal_users has no column "givn_name" (did you mean "given_name"?) in schema dbo of database \#(database) (pipelines[0].target.layout.users.attributes)"#),
            "\(lines)")
    }
}
