import Foundation
import Testing
import TestSupport

/// `scimsync help NAME…`: help for a command that exists, a usage error naming the commands
/// for one that does not (ArgumentParser alone printed the top-level help and exited 0).
@Suite struct HelpCommandTests {
    let cli = VersionCommandTests()

    @Test func helpOnACommandPrintsItsHelp() async throws {
        let outcome = try await cli.scimsync(["help", "feed", "upload"])
        #expect(outcome.status == 0, "\(outcome.output)")
        #expect(outcome.output.contains("USAGE: scimsync feed upload"), "\(outcome.output)")
    }

    @Test(arguments: [
        (["help", "nope"], "check, run, serve"),
        (["help", "feed", "nope"], "upload, runs, show"),
    ])
    func helpOnAnUnknownCommandIsAUsageError(arguments: [String], listed: String) async throws {
        let outcome = try await cli.scimsync(arguments)
        #expect(outcome.status == 64, "\(outcome.output)")
        #expect(outcome.output.contains("no command \"nope\" to help with"), "\(outcome.output)")
        #expect(outcome.output.contains(listed), "\(outcome.output)")
    }

    @Test func explainRefusesANegativeLimit() async throws {
        let outcome = try await cli.scimsync(["explain", "--config", "/nonexistent.yaml", "--user", "1", "--limit=-1"])
        #expect(outcome.status == 64, "\(outcome.output)")
        #expect(outcome.output.contains("--limit -1: expected a number of journal entries, 0 or more"), "\(outcome.output)")
    }
}
