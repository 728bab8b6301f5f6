import ArgumentParser
import Config
import Daemon
import Foundation
import Logging
import MySQLSource
import OffsetStore
import Reconcile
import SCIM
import SQLClients
import SourceKinds
import TargetKinds

/// `scimsync reconcile`: one full pass per pipeline that finds drift between source and
/// target and repairs it (or, with `--dry-run`, reports it).
struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Compare each pipeline's source with its target and repair the differences.",
        discussion: """
            Exit status: 0 no drift (or drift repaired), 1 drift found by --dry-run, a pass refused \
            by the safety limits (reconcile.maxRemovals, empty source) or repairs the target refused \
            (quarantined: `scimsync status` lists them), 2 error. Unmanaged rows (target \
            rows scimsync did not create, outside its ledger) are reported and left alone, never drift: \
            alone they exit 0, with --dry-run too; `adopt: true` takes over those the source also has.
            """
    )

    @Option(name: .shortAndLong, help: "The configuration file.")
    var config: String

    @Option(help: "Only this pipeline (default: every pipeline).")
    var pipeline: String?

    @Flag(help: "Report the differences; change nothing.")
    var dryRun = false

    @Flag(help: "Apply even beyond reconcile.maxRemovals or with an empty source (this once).")
    var force = false

    @Option(help: "text or json.")
    var format: OutputFormat = .text

    @Option(help: "How many differences to show in detail.")
    var details = 20

    enum OutputFormat: String, ExpressibleByArgument {
        case text, json
    }

    func run() async throws {
        // The report is this command's output. What the load path logs per phase (into an
        // empty target) is for the daemon's log; warnings, such as a target refusing its bulk
        // path, still reach standard error.
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
        let loaded = try loadConfig(config)
        var pipelines = loaded.pipelines
        if let pipeline {
            pipelines = pipelines.filter { $0.name == pipeline }
            if pipelines.isEmpty {
                let names = loaded.pipelines.map(\.name).joined(separator: ", ")
                FileHandle.standardError.write(Data("\(config): no pipeline named \(pipeline) (there are: \(names))\n".utf8))
                throw ExitCode(2)
            }
        }
        // A pass writes the ledger, holds and the run log: not beside a `run` or another
        // `reconcile` on the same store. A dry run writes nothing and may run beside them.
        let lock: OffsetStoreLock?
        do {
            lock = dryRun ? nil : try OffsetStoreLock(storePath: loaded.offsets.path, command: "scimsync reconcile")
        } catch {
            FileHandle.standardError.write(Data("scimsync reconcile: \(error)\n".utf8))
            throw ExitCode(2)
        }
        defer { withExtendedLifetime(lock) {} }
        var status: Int32 = 0
        var results: [SCIMValue] = []
        for pipeline in pipelines {
            do {
                let outcome = try await reconcile(pipeline, store: try OffsetStore(path: loaded.offsets.path))
                switch outcome {
                case .refused: status = max(status, 1)
                case .dryRun: status = max(status, 1)
                // The target still differs where it refused a repair.
                case .clean, .repaired:
                    if outcome.report.notApplied > 0 || outcome.report.unreadable > 0 { status = max(status, 1) }
                }
                if format == .json {
                    results.append(outcome.json(pipeline: pipeline.name))
                } else {
                    print(outcome.text(pipeline: pipeline.name))
                }
            } catch {
                status = 2
                FileHandle.standardError.write(Data("scimsync reconcile: \(pipeline.name): \(error)\n".utf8))
                if format == .json {
                    results.append(.object(SCIMObject([("pipeline", .string(pipeline.name)), ("error", .string("\(error)"))])))
                }
            }
        }
        if format == .json { print(SCIMValue.array(results).jsonString(pretty: true)) }
        if status != 0 { throw ExitCode(status) }
    }

    private func reconcile(_ pipeline: PipelineConfig, store: OffsetStore) async throws -> ReconcileOutcome {
        let bar = ProgressBar(enabled: isatty(STDERR_FILENO) == 1)
        defer { bar.finish() }
        var progress: (@Sendable (ReconcileProgress) -> Void)?
        if bar.enabled { progress = { @Sendable in bar.show($0) } }
        return try await Reconciliation(pipeline: pipeline, store: store).runStandalone(
            sources: SourceKinds.registry, targets: TargetKinds.registry,
            options: ReconcileOptions(dryRun: dryRun, force: force, detailLimit: details), progress: progress)
    }
}

/// A one-line progress display on a terminal's standard error: phase, rows, rate and, when
/// the total is known, percent and time left. Nothing when standard error is not a terminal.
/// Shown from the pass's thread, one call at a time (hence `@unchecked Sendable`).
final class ProgressBar: @unchecked Sendable {
    let enabled: Bool
    private var phase = ""
    private var started = Date()
    private var lastDraw = Date.distantPast

    init(enabled: Bool) {
        self.enabled = enabled
    }

    func show(_ progress: ReconcileProgress) {
        guard enabled else { return }
        if progress.phase != phase {
            phase = progress.phase
            started = Date()
        }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) > 0.2 else { return }
        lastDraw = now
        let seconds = max(now.timeIntervalSince(started), 0.001)
        let rate = Double(progress.rows) / seconds
        var line = "\(progress.phase): \(progress.rows) rows, \(Int(rate)) rows/s"
        if let expected = progress.expected, expected > 0 {
            let share = min(Double(progress.rows) / Double(expected), 1)
            let width = 24
            let filled = Int(share * Double(width))
            let left = rate > 0 ? Double(expected - min(progress.rows, expected)) / rate : 0
            line = "\(progress.phase) [" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
                + "] \(Int(share * 100))% \(progress.rows)/\(expected) rows, \(Int(rate)) rows/s, ETA \(Int(left.rounded())) s"
        }
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
    }

    func finish() {
        guard enabled, !phase.isEmpty else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}

extension ReconcileOutcome {
    var name: String {
        switch self {
        case .clean: "clean"
        case .repaired: "repaired"
        case .dryRun: "drift"
        case .refused: "refused"
        }
    }

    /// The report for people: a summary line, then the counts, the unmanaged rows left alone
    /// and the first differences (``DriftReport/detailLines``). A dry run and a real pass word
    /// the same findings alike: unmanaged rows alone are no drift for either.
    func text(pipeline: String) -> String {
        let report = self.report
        let sizes = "source \(report.sourceUsers) users, \(report.sourceGroups) groups; "
            + "target \(report.targetUsers) users, \(report.targetGroups) groups"
        let repairs = DriftReport.counted(report.totalRepairs, "repair")
        let summary: String
        switch self {
        case .clean: summary = "\(pipeline): no drift (\(sizes))"
        case .repaired: summary = "\(pipeline): repaired drift, \(repairs) applied (\(sizes))"
        case .dryRun: summary = "\(pipeline): dry run, \(repairs) needed (\(sizes))"
        case .refused(_, let reason): summary = "\(pipeline): refused: \(reason)"
        }
        return ([summary] + report.detailLines).joined(separator: "\n")
    }

    /// The report for programs.
    func json(pipeline: String) -> SCIMValue {
        let report = self.report
        var object = SCIMObject()
        object["pipeline"] = .string(pipeline)
        object["outcome"] = .string(name)
        if case .refused(_, let reason) = self { object["reason"] = .string(reason) }
        object["source"] = .object(SCIMObject([
            ("users", .integer(Int64(report.sourceUsers))), ("groups", .integer(Int64(report.sourceGroups))),
        ]))
        object["target"] = .object(SCIMObject([
            ("users", .integer(Int64(report.targetUsers))), ("groups", .integer(Int64(report.targetGroups))),
        ]))
        object["repairs"] = .object(SCIMObject(
            report.repairs.sorted { $0.key < $1.key }.map { ($0.key.rawValue, .integer(Int64($0.value))) }))
        object["unmanaged"] = .object(SCIMObject(
            report.unmanaged.sorted { $0.key < $1.key }.map { ($0.key, .integer(Int64($0.value))) }))
        // Refused (quarantined) or parked by the target: not in `repairs`.
        object["notApplied"] = .integer(Int64(report.notApplied))
        object["waiting"] = .integer(Int64(report.waiting))
        object["unreadable"] = .integer(Int64(report.unreadable))
        // `differences` holds the first `--details` of them; this says how many there are.
        object["differenceCount"] = .integer(Int64(report.differenceCount))
        object["differences"] = .array(report.differences.map { difference in
            var item = SCIMObject()
            item["resource"] = .string(difference.resource)
            item["id"] = .string(difference.id)
            item["change"] = .string(difference.change)
            if let attribute = difference.attribute { item["attribute"] = .string(attribute) }
            item["source"] = difference.source.map(SCIMValue.string) ?? .null
            item["target"] = difference.target.map(SCIMValue.string) ?? .null
            item["managed"] = .bool(difference.managed)
            return .object(item)
        })
        return .object(object)
    }
}

/// `scimsync approve`: lets a pipeline's next reconciliation through once after the safety
/// limits refused one.
struct Approve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve",
        abstract: "Let a pipeline's next reconciliation pass through the safety limits once."
    )

    @Option(name: .shortAndLong, help: "The configuration file.")
    var config: String

    @Option(help: "The pipeline.")
    var pipeline: String

    /// Takes no lock on the offset store: approving is meant for a store a running `run`
    /// holds (its periodic reconciliation reads the approval), and it writes one row of its
    /// own in a transaction.
    func run() throws {
        let loaded = try loadConfig(config)
        guard loaded.pipelines.contains(where: { $0.name == pipeline }) else {
            FileHandle.standardError.write(Data("\(config): no pipeline named \(pipeline)\n".utf8))
            throw ExitCode(2)
        }
        do {
            let store = try OffsetStore(path: loaded.offsets.path)
            let hold = try store.hold(pipeline: pipeline)
            try store.approve(pipeline: pipeline, by: "scimsync approve")
            if let hold, !hold.isApprovalInAdvance {
                print("\(pipeline): approved; the next pass goes through once (it was refused: \(hold.reason))")
            } else {
                print(
                    "\(pipeline): approved in advance (nothing is held now): the next pass or batch beyond "
                        + "reconcile.maxRemovals goes through once; `scimsync status` shows the approval until it is used")
            }
        } catch {
            FileHandle.standardError.write(Data("scimsync approve: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}
