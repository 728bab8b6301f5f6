import ArgumentParser
import Config
import Daemon
import SourceKinds
import TargetKinds

/// `scimsync check --config FILE`: validate the configuration and probe every database it names.
struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a configuration and connect to every source and target it names.",
        discussion: """
            Prints one line per check. Exit status: 0 when all pass, 1 when a check fails, \
            2 when the configuration file is invalid.
            """
    )

    @Option(name: .shortAndLong, help: "The configuration file.")
    var config: String

    func run() async throws {
        let loaded: ScimsyncConfig
        do {
            loaded = try ConfigLoader.load(path: config, kinds: configKinds)
        } catch {
            print("FAIL  config \(config): \(error.issues.count == 1 ? "1 problem" : "\(error.issues.count) problems")")
            for issue in error.issues {
                print("      \(error.file): \(issue)")
            }
            throw ExitCode(2)
        }
        let count = loaded.pipelines.count
        print("ok    config \(config): \(count) pipeline\(count == 1 ? "" : "s")\(loaded.scim == nil ? "" : " and a SCIM server")")
        if let warning = loaded.scim?.authenticationWarning {
            print("WARN  \(warning)")
        }
        for warning in loaded.warnings { print("WARN  \(warning)") }
        let passed = await Preflight.run(loaded, sources: SourceKinds.registry, targets: TargetKinds.registry) { result in
            print(result.line)
        }
        if !passed { throw ExitCode(1) }
    }
}
