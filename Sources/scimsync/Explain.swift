import ArgumentParser
import Config
import Foundation
import Inspection
import OffsetStore

/// `scimsync explain`: why one user or group looks the way it does in a pipeline's target.
struct Explain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Explain one user or group: source and target now, ownership, and the journal of what touched it.",
        discussion: """
            Reads the source and the target (SQL databases; other kinds are reported as not read), the \
            offset store's ledger, parked operations, refusals and journal. Read-only: it changes nothing. \
            Exit status: 0 when source and target agree, 1 on an error, 2 when they differ.
            """)

    enum Format: String, ExpressibleByArgument {
        case text, json
    }

    @Option(name: .shortAndLong, help: "The configuration file.")
    var config: String

    @Option(help: "The pipeline (optional when the configuration has one).")
    var pipeline: String?

    @Option(help: "A user's id.")
    var user: String?

    @Option(name: .customLong("user-name"), help: "A user's userName (looked up in the source, then the target).")
    var userName: String?

    @Option(help: "A group's id.")
    var group: String?

    @Option(help: "text or json.")
    var format: Format = .text

    @Option(help: "How many journal entries to show, newest first.")
    var limit: Int = 50

    func validate() throws {
        if [user, userName, group].compactMap({ $0 }).count != 1 {
            throw ValidationError("give exactly one of --user ID, --user-name NAME and --group ID")
        }
        if limit < 0 {
            throw ValidationError("--limit \(limit): expected a number of journal entries, 0 or more")
        }
    }

    func run() async throws {
        let loaded = try loadConfig(config)
        let chosen: PipelineConfig
        if let name = pipeline {
            guard let found = loaded.pipelines.first(where: { $0.name == name }) else {
                fail("no pipeline \"\(name)\" in \(config); it has: \(loaded.pipelines.map(\.name).joined(separator: ", "))")
            }
            chosen = found
        } else {
            guard loaded.pipelines.count == 1, let only = loaded.pipelines.first else {
                fail("\(config) has \(loaded.pipelines.count) pipelines: name one with --pipeline")
            }
            chosen = only
        }
        let subject: ExplainSubject =
            if let userName { .userName(userName) } else if let group { .group(id: group) } else { .user(id: user ?? "") }
        let explanation: Explanation
        do {
            explanation = try await Explanation.lookUpReadingSCIM(
                subject, in: chosen, store: try OffsetStore(path: loaded.offsets.path), limit: limit)
        } catch {
            fail("\(error)")
        }
        switch format {
        case .text: print(explanation.text)
        case .json: print(explanation.json.jsonString(pretty: true))
        }
        if let differing = explanation.differences, !differing.isEmpty { throw ExitCode(2) }
    }

    private func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("scimsync explain: \(message)\n".utf8))
        Explain.exit(withError: ExitCode(1))
    }
}
