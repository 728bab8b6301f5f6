import Config
import Directory
import TestSupport
import Testing

extension RandomWorkloadTests {
    /// The random workload into SQL Server (the TDS test double): the target converges to the
    /// mapping of the source, row for row.
    @Test func sqlServer() async throws {
        let fixture = try ExampleDirectories()
        let (config, server) = try SQLServerTargetPipelineTests.config(fixture, workloadRemovals: true)
        let connection = try server.connect()
        try await check(config, fixture: fixture) {
            try DirectoryRows.target(tablePrefix: "[dbo].") { try connection.query($0) }
        }
    }
}
