import Testing
import TestSupport

/// `scimsync init-target` without a server: the DDL of the pipeline named, and a name the
/// configuration does not have said as such.
@Suite struct InitTargetCommandTests {
    @Test func aPipelineNameTheConfigurationLacksIsSaid() async throws {
        let config = ExampleDirectories.path("config/mariadb-to-sqlite.yaml")
        let environment = ["HR_DB_PASSWORD": "not-used-without-apply"]
        let commands = ReconcileCommandTests()
        let printed = try await commands.scimsync(["init-target", "--config", config, "--pipeline", "hr-to-portal"], environment: environment)
        #expect(printed.status == 0, "\(printed.output)")
        #expect(printed.output.contains("CREATE TABLE"), "\(printed.output)")
        let unknown = try await commands.scimsync(["init-target", "--config", config, "--pipeline", "nope"], environment: environment)
        #expect(unknown.status == 2, "\(unknown.output)")
        #expect(unknown.output.contains(#"no pipeline "nope" in "#), "\(unknown.output)")
        #expect(unknown.output.contains("it has: hr-to-portal"), "\(unknown.output)")
    }
}
