import ArgumentParser
import FeedAdmin
import FeedSource
import Foundation
import SCIM

/// `scimsync feed files RUN --out DIR`: copies a run's uploaded files out of the feed.
struct FeedFiles: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "files",
        abstract: "Copy the files a run was uploaded with into a directory.",
        discussion: """
            Files already in DIR under the same names are replaced. Exit status 1 when the run has no \
            files any more (feed.keepFiles removed them) or they cannot be copied.
            """
    )

    @OptionGroup var options: FeedOptions

    @Option(help: "The directory to copy them into (created when missing).")
    var out: String

    @Argument(help: ArgumentHelp("The run's number (feed runs lists them).", valueName: "run"))
    var number: Int64

    func run() throws {
        let site = try options.site(command: "files")
        let names = feedStep("files") { try site.fileNames(run: number) }
        guard !names.isEmpty else {
            let reason = feedStep("files") { try site.run(number) }.map { record in
                record.filesPruned
                    ? "retention removed them (feed.keepFiles)" : "none were uploaded (state \(record.state.rawValue))"
            }
            fail("files", "run \(number) has no files: \(reason ?? "no such run")")
        }
        var copied: [SCIMValue] = []
        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            for name in names {
                let source = feedStep("files") { try site.filePath(run: number, name: name) }
                let target = (out as NSString).appendingPathComponent(name)
                if FileManager.default.fileExists(atPath: target) { try FileManager.default.removeItem(atPath: target) }
                try FileManager.default.copyItem(atPath: source, toPath: target)
                let size = (try FileManager.default.attributesOfItem(atPath: target)[.size] as? NSNumber)?.int64Value ?? 0
                copied.append(["name": .string(name), "path": .string(target), "size": .integer(size)])
            }
        } catch {
            fail("files", "cannot copy the files of run \(number) into \(out): \(error.localizedDescription)")
        }
        switch options.format {
        case .json:
            let value: SCIMValue = [
                "pipeline": .string(site.pipeline), "run": .integer(number), "out": .string(out), "files": .array(copied),
            ]
            print(value.jsonString(pretty: true))
        case .text:
            for file in copied {
                print("\(file.objectValue?["path"]?.stringValue ?? "")  \(Self.integer(file.objectValue?["size"])) bytes")
            }
        }
    }

    private static func integer(_ value: SCIMValue?) -> Int64 {
        if case .integer(let number)? = value { return number }
        return 0
    }
}

/// `scimsync feed user USERNAME`: what the feed knows of one user.
struct FeedUserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Show what the feed knows of a user: owned, blocked, its last record and run.",
        discussion: "userNames compare ignoring case. Exit status 1 when the feed never received the user."
    )

    @OptionGroup var options: FeedOptions

    @Argument(help: "The userName.")
    var userName: String

    func run() throws {
        let site = try options.site(command: "user")
        guard let user = feedStep("user", { try site.user(named: userName) }) else {
            fail("user", "the feed \(site.pipeline) has never received a user named \(userName)")
        }
        switch options.format {
        case .json: print(FeedViews.user(user, pipeline: site.pipeline).jsonString(pretty: true))
        case .text: print(FeedText.user(user), terminator: "")
        }
    }
}
