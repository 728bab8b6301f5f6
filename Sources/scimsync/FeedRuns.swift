import ArgumentParser
import FeedAdmin
import FeedSource
import Foundation

/// `scimsync feed runs`: every run, newest first.
struct FeedRuns: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs", abstract: "List the feed's runs, newest first.")

    @OptionGroup var options: FeedOptions

    func run() throws {
        let site = try options.site(command: "runs")
        let runs = feedStep("runs") { try site.runs() }
        switch options.format {
        case .json: print(FeedViews.runs(runs, pipeline: site.pipeline).jsonString(pretty: true))
        case .text: print(FeedText.table(runs), terminator: "")
        }
    }
}

/// `scimsync feed show RUN`: one run with its files and log.
struct FeedShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show a run: its state, counts, files and every logged problem.")

    @OptionGroup var options: FeedOptions

    @Argument(help: ArgumentHelp("The run's number (feed runs lists them).", valueName: "run"))
    var number: Int64

    func run() throws {
        let site = try options.site(command: "show")
        guard let record = feedStep("show", { try site.run(number) }) else {
            fail("show", "the feed \(site.pipeline) has no run \(number); `scimsync feed runs` lists them")
        }
        let log = feedStep("show") { try site.log(of: number) }
        switch options.format {
        case .json: print(FeedViews.run(record, pipeline: site.pipeline, log: log).jsonString(pretty: true))
        case .text: print(FeedText.run(record, log: log), terminator: "")
        }
    }
}

/// `scimsync feed apply RUN`: approves a run that waits.
struct FeedApply: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Approve a run that waits; the daemon applies it at its next look.",
        discussion: "Exit status 1 when the run is not ready (already applied, cancelled, failed or still uploading)."
    )

    @OptionGroup var options: FeedOptions

    @Option(help: "Who approves, for the run's history (default: your login name).")
    var by: String?

    @Argument(help: ArgumentHelp("The run's number (feed runs lists them).", valueName: "run"))
    var number: Int64

    func run() throws {
        let site = try options.site(command: "apply")
        let record = feedStep("apply") { try site.approve(run: number, by: person(by, "apply")) }
        switch options.format {
        case .json: print(FeedViews.run(record, pipeline: site.pipeline).jsonString(pretty: true))
        case .text:
            print("run \(number) approved: `scimsync run` applies it at its next look")
            print(FeedText.run(record, log: nil), terminator: "")
        }
    }
}

/// `scimsync feed cancel RUN`: gives up on a run before it applies.
struct FeedCancel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel a run that has not started applying; nothing of it reaches the target.",
        discussion: "Exit status 1 when the run is applying or final already."
    )

    @OptionGroup var options: FeedOptions

    @Argument(help: ArgumentHelp("The run's number (feed runs lists them).", valueName: "run"))
    var number: Int64

    func run() throws {
        let site = try options.site(command: "cancel")
        feedStep("cancel") { try site.cancel(run: number) }
        guard let record = feedStep("cancel", { try site.run(number) }) else {
            fail("cancel", "the feed \(site.pipeline) has no run \(number)")
        }
        switch options.format {
        case .json: print(FeedViews.run(record, pipeline: site.pipeline).jsonString(pretty: true))
        case .text:
            print("run \(number) cancelled")
            print(FeedText.run(record, log: nil), terminator: "")
        }
    }
}
