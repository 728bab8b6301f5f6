import ArgumentParser
import FeedAdmin
import FeedSource
import Foundation

/// `scimsync feed upload FILE...`: stages a run from files on this machine.
struct FeedUpload: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upload",
        abstract: "Stage the files as a new run; the daemon applies it if the safety rule allows.",
        discussion: """
            The files keep their names, which must be those the control file lists. The run is read \
            at once: a run within the size ratio of the last complete one is ready and applied by \
            `scimsync run` at its next look; otherwise it waits for `feed apply` or `feed cancel`. \
            Exit status 0 when the run is ready or waits, 1 when it failed (a file missing or \
            unreadable) or could not be staged (another run is still open).
            """
    )

    @OptionGroup var options: FeedOptions

    @Option(help: "Who uploads, for the run's history (default: your login name).")
    var by: String?

    @Argument(help: "The files of the upload.")
    var files: [String]

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one file to upload") }
        // A run's files are kept by name: a second file of the same name would replace the first.
        var seen: Set<String> = []
        for name in files.map({ ($0 as NSString).lastPathComponent }) where !seen.insert(name).inserted {
            throw ValidationError("two of the files are named \(name): a run holds one file of each name")
        }
    }

    func run() throws {
        let site = try options.site(command: "upload")
        for file in files where !FileManager.default.isReadableFile(atPath: file) {
            fail("upload", "cannot read \(file): check the path and its permissions")
        }
        // Reading a large export takes minutes: say so on a terminal, stay quiet in scripts.
        if isatty(STDERR_FILENO) == 1 {
            let bytes = files.reduce(Int64(0)) { total, file in
                total + ((try? FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.int64Value ?? 0)
            }
            FileHandle.standardError.write(
                Data("reading \(files.count) file\(files.count == 1 ? "" : "s") (\(bytes) bytes) into the feed \(site.pipeline)…\n".utf8))
        }
        let staged = feedStep("upload") {
            try site.stage(files: files.map(FeedSite.UploadFile.path), startedBy: person(by, "upload"))
        }
        let log = feedStep("upload") { try site.log(of: staged.run.id) }
        switch options.format {
        case .json:
            print(FeedViews.run(staged.run, pipeline: site.pipeline, log: log).jsonString(pretty: true))
        case .text:
            print(FeedText.staged(staged, pipeline: site.pipeline, config: options.config))
            print(FeedText.run(staged.run, log: log), terminator: "")
        }
        if case .failed = staged.outcome { throw ExitCode(1) }
    }
}
