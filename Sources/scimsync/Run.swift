import ArgumentParser
import Config
import Daemon
import Dispatch
import Foundation
import Logging
import OffsetStore

/// `scimsync run`: every pipeline of the configuration, until SIGTERM or SIGINT.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run every pipeline: first load, then stream changes into the targets.",
        discussion: """
            SIGTERM or SIGINT stops reading, lets the batch in flight commit with its offset, and \
            exits 0. A pipeline that fails for good (a lost binlog position, an undecodable event) \
            stops alone; the others go on, and the exit status is then 1.
            """
    )

    @Option(name: .shortAndLong, help: "The configuration file.")
    var config: String

    func run() async throws {
        let loaded: ScimsyncConfig
        do {
            loaded = try ConfigLoader.load(path: config)
        } catch {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            throw ExitCode(2)
        }
        let logger = Logger(label: "scimsync")
        let store: OffsetStore
        do {
            store = try OffsetStore(path: loaded.offsets.path)
        } catch {
            logger.critical("cannot open the offset store", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }

        let work = Task {
            await withTaskGroup(of: Bool.self) { group in
                for pipeline in loaded.pipelines {
                    group.addTask {
                        let runner = Pipeline(configuration: pipeline, store: store, logger: logger) {
                            try TargetFactory.open(pipeline.target, onDelete: pipeline.onDelete)
                        }
                        do {
                            try await runner.run()
                            return true
                        } catch {
                            logger.error("pipeline stopped", metadata: ["pipeline": "\(pipeline.name)", "error": "\(error)"])
                            return false
                        }
                    }
                }
                var allSucceeded = true
                for await succeeded in group where !succeeded { allSucceeded = false }
                return allSucceeded
            }
        }
        // Signals cancel the pipelines' tasks: each stops at its next read, after its batch in
        // flight has been applied and its offset committed.
        let signals = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                logger.info("stopping", metadata: ["signal": "\(number)"])
                work.cancel()
            }
            source.resume()
            return source
        }
        let succeeded = await work.value
        signals.forEach { $0.cancel() }
        if !succeeded { throw ExitCode(1) }
    }
}
