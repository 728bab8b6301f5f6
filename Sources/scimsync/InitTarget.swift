import ArgumentParser
import Config
import Daemon
import Foundation
import Targets

/// `scimsync init-target`: print (or run) the DDL for a pipeline's target tables.
struct InitTarget: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init-target",
        abstract: "Print the CREATE TABLE statements of a pipeline's target layout, or run them with --apply."
    )

    @Option(name: .shortAndLong, help: "The configuration file.")
    var config: String

    @Option(help: "The pipeline whose target to create (needed when the file has several).")
    var pipeline: String?

    @Flag(help: "Run the statements on the target instead of printing them.")
    var apply = false

    @Flag(help: "Create the tables of the scim: directory (scimsync serve) instead of a pipeline's target.")
    var scim = false

    func run() throws {
        let loaded = try loadConfig(config)
        let endpoint: Endpoint
        let name: String
        if scim {
            guard let directory = loaded.scim?.directory else {
                FileHandle.standardError.write(Data("scimsync init-target: \(config) has no \"scim\" block\n".utf8))
                throw ExitCode(2)
            }
            (endpoint, name) = (directory, "the scim directory")
        } else {
            let names = loaded.pipelines.map(\.name).joined(separator: ", ")
            guard let chosen = pipeline.map({ name in loaded.pipelines.first { $0.name == name } })
                ?? (loaded.pipelines.count == 1 ? loaded.pipelines.first : nil)
            else {
                let message =
                    pipeline.map { "no pipeline \"\($0)\" in \(config); it has: \(names)" }
                    ?? "choose a pipeline with --pipeline (\(names))"
                FileHandle.standardError.write(Data("scimsync init-target: \(message)\n".utf8))
                throw ExitCode(2)
            }
            guard let target = chosen.target.sql else {
                FileHandle.standardError.write(
                    Data("scimsync init-target: \(chosen.name) writes to a SCIM service provider, which has no tables to create\n".utf8))
                throw ExitCode(2)
            }
            (endpoint, name) = (target, chosen.name)
        }
        if apply {
            do {
                try SQLTarget.createTables(in: endpoint)
                print("created the target tables of \(name) (those that existed are left as they are)")
            } catch {
                FileHandle.standardError.write(Data("scimsync init-target: \(error)\n".utf8))
                throw ExitCode(1)
            }
        } else {
            for statement in SQLTarget.createTableStatements(for: endpoint) { print(statement + ";\n") }
        }
    }
}
