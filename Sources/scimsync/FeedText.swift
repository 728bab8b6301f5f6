import FeedSource
import Foundation

/// The text output of the `feed` commands: lines for people, the JSON format for scripts.
enum FeedText {
    /// What became of an upload, and what to do next.
    static func staged(_ staged: FeedSite.Staged, pipeline: String, config: String) -> String {
        let run = staged.run.id
        let unlisted =
            staged.unlistedFiles.isEmpty
            ? "" : "\nnot read (the control file lists no such file): \(staged.unlistedFiles.joined(separator: ", "))"
        switch staged.outcome {
        case .ready:
            return "run \(run) is ready: `scimsync run` applies it at its next look" + unlisted
        case .held(let reason):
            return "run \(run) waits for approval: \(reason)\n"
                + "  approve: scimsync feed apply \(run) --config \(config) --pipeline \(pipeline)\n"
                + "  or:      scimsync feed cancel \(run) --config \(config) --pipeline \(pipeline)" + unlisted
        case .failed(let reason):
            return "run \(run) failed: \(reason)" + unlisted
        }
    }

    /// A run as `key: value` lines, its files and (with `log`) its problems.
    static func run(_ run: FeedRun, log: [FeedLogEntry]?) -> String {
        var lines = [
            "run:       \(run.id)",
            "state:     \(run.state.rawValue)",
            "created:   \(run.created)",
            "startedBy: \(run.startedBy)",
        ]
        if let approvedBy = run.approvedBy { lines.append("approved:  \(approvedBy)") }
        if let hold = run.holdReason {
            lines.append("held:      \(hold)\(run.approvedBy == nil ? "" : " (approved)")")
        }
        if let failure = run.failureReason { lines.append("failure:   \(failure)") }
        let counts = run.counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        lines.append("counts:    \(counts.isEmpty ? "none" : counts)")
        lines.append("applied:   \(run.appliedThrough) of \(run.planned) planned changes; \(run.errors) problems logged")
        lines.append("files:\(run.filesPruned ? "     (removed by retention)" : "")")
        for file in run.files { lines.append("  \(file.name)  \(file.size) bytes  sha256 \(file.digest)") }
        if let log, !log.isEmpty {
            lines.append("log:")
            // The reason names its file, line and field already.
            for entry in log { lines.append("  \(entry.reason)") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One line per run under a header.
    static func table(_ runs: [FeedRun]) -> String {
        guard !runs.isEmpty else { return "no runs yet: `scimsync feed upload` stages one\n" }
        let header = ["RUN", "STATE", "CREATED", "RECORDS", "SKIPPED", "APPLIED", "STARTED BY"]
        let rows = runs.map { run in
            [
                String(run.id), run.state.rawValue, run.created, String(run.counts["records"] ?? 0),
                String(run.counts["skipped"] ?? 0), "\(run.appliedThrough)/\(run.planned)", run.startedBy,
            ]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        return ([header] + rows).map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    static func user(_ user: KnownUser) -> String {
        var lines = [
            "userName:       \(user.userName)",
            "id:             \(user.id ?? "none (the feed did not create it)")",
            "owned:          \(user.owned ? "yes" : "no: the feed leaves it alone")",
            "in feed:        \(user.inFeed ? "yes" : (user.owned ? "no: blocked" : "no"))",
            "last changed:   \(user.lastChangedRun.map { "run \($0)" } ?? "never")",
            "error:          \(user.error ? "yes: the next run compares it in full" : "no")",
        ]
        if !user.groups.isEmpty { lines.append("groups:         \(user.groups.joined(separator: ", "))") }
        if let raw = user.rawJSON { lines.append("record:         \(raw)") }
        return lines.joined(separator: "\n") + "\n"
    }
}
