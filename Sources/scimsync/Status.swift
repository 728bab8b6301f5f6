import ArgumentParser
import Config
import Daemon
import Foundation
import Inspection
import SourceKinds

/// `scimsync status`: each pipeline's stored position and last run, from the offset store.
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each pipeline's stored position and its last run."
    )

    @Option(name: .shortAndLong, help: "The configuration file.")
    var config: String

    func run() throws {
        let loaded = try loadConfig(config)
        do {
            for status in try PipelineStatus.all(loaded, askSources: SourceKinds.registry) { print(status.line) }
        } catch {
            FileHandle.standardError.write(Data("scimsync status: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
