import ArgumentParser
import Config
import FeedSource
import Foundation

/// `scimsync feed`: what people do with a batch-file feed, on the feed's own store (the
/// running daemon applies what they stage; neither needs the other to be up).
struct FeedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feed",
        abstract: "Upload, list, approve, cancel and inspect the runs of a batch-file feed.",
        discussion: """
            Each command works on the feed's store directly: `scimsync run` need not be running, \
            and when it is, it applies a run that is ready by itself (or approved) at its next look. \
            Exit status: 0 done; 1 the feed refused (no such run, a state that does not allow the \
            step, an upload whose files cannot be read); 2 the configuration or the pipeline is \
            wrong; 64 the command line is wrong.
            """,
        subcommands: [
            FeedUpload.self, FeedRuns.self, FeedShow.self, FeedApply.self, FeedCancel.self, FeedFiles.self,
            FeedUserCommand.self,
        ]
    )
}

/// The options every `feed` command takes.
struct FeedOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "The configuration file.")
    var config: String

    @Option(help: "The feed pipeline (needed only when the configuration has several).")
    var pipeline: String?

    @Option(help: "text or json.")
    var format: FeedOutputFormat = .text

    /// The feed of the chosen pipeline, opened; an unknown or ambiguous pipeline exits 2.
    func site(command: String) throws -> FeedSite {
        let loaded = try loadConfig(config)
        let feeds = loaded.pipelines.compactMap { pipeline in
            pipeline.source.settings(FeedSourceConfig.self).map { (name: pipeline.name, settings: $0) }
        }
        let chosen: (name: String, settings: FeedSourceConfig)
        if let pipeline {
            guard let match = feeds.first(where: { $0.name == pipeline }) else {
                let others = feeds.map(\.name).joined(separator: ", ")
                let isOther = loaded.pipelines.contains { $0.name == pipeline }
                fail(
                    command,
                    "\(config): "
                        + (isOther ? "the pipeline \(pipeline) is no feed (its source is not feed:)" : "no pipeline is named \(pipeline)")
                        + (others.isEmpty ? "; this configuration has no feed pipeline" : "; the feed pipelines are \(others)"),
                    status: 2)
            }
            chosen = match
        } else {
            guard feeds.count == 1 else {
                fail(
                    command,
                    feeds.isEmpty
                        ? "\(config): no pipeline has a feed source (source: { feed: {...} })"
                        : "\(config) has several feed pipelines (\(feeds.map(\.name).joined(separator: ", "))): name one with --pipeline",
                    status: 2)
            }
            chosen = feeds[0]
        }
        do throws(FeedSiteError) {
            return try FeedSite(settings: chosen.settings, pipeline: chosen.name, offsetsPath: loaded.offsets.path)
        } catch {
            fail(command, error.description, status: 2)
        }
    }
}

enum FeedOutputFormat: String, ExpressibleByArgument {
    case text, json
}

/// Prints `message` as `scimsync feed COMMAND: message` on standard error and exits.
func fail(_ command: String, _ message: String, status: Int32 = 1) -> Never {
    FileHandle.standardError.write(Data("scimsync feed \(command): \(message)\n".utf8))
    Foundation.exit(status)
}

/// Runs a feed step; what the feed refuses is printed and exits 1.
func feedStep<T>(_ command: String, _ body: () throws -> T) -> T {
    do {
        return try body()
    } catch {
        fail(command, "\(error)")
    }
}

/// Who is doing it, for the run's history: the --by value, else the login name.
func person(_ by: String?, _ command: String) -> String {
    if let by, !by.isEmpty { return by }
    let user = ProcessInfo.processInfo.environment["USER"] ?? ProcessInfo.processInfo.environment["LOGNAME"]
    return "scimsync feed \(command)" + (user.map { " (\($0))" } ?? "")
}
