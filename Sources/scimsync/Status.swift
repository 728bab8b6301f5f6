import ArgumentParser
import Config
import Daemon
import Foundation
import Inspection
import OffsetStore
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
        // Status only reads: opening a store that is not there would create an empty one, and
        // a daemon whose store was moved or deleted would then read as never run.
        guard FileManager.default.fileExists(atPath: loaded.offsets.path) else {
            for pipeline in loaded.pipelines {
                print("\(pipeline.name): never run (no offset store at \(loaded.offsets.path))")
            }
            return
        }
        do {
            let store = try OffsetStore(path: loaded.offsets.path)
            for status in try PipelineStatus.all(loaded, store: store, askSources: SourceKinds.registry) { print(status.line) }
            for warning in try store.forgottenPipelineWarnings(configured: loaded.pipelines.map(\.name)) {
                print("warning: \(warning)")
            }
        } catch {
            FileHandle.standardError.write(Data("scimsync status: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
