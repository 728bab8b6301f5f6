import Config
import Connectors
import Daemon
import Directory
import Foundation
import Logging
import OffsetStore
import SCIM

/// What `scimsync status` reports for one pipeline, from the offset store alone (it works
/// while the daemon runs: the store is in WAL mode).
public struct PipelineStatus: Sendable, Hashable {
    public var name: String
    /// Where the pipeline resumes; nil before its first load committed.
    public var position: SourcePosition?
    public var lastRun: RunRecord?
    /// Set when a reconciliation was refused by the safety limits.
    public var hold: PipelineHold?
    /// How far behind the source the stored position is; nil when the source was not asked.
    public var lag: Lag?
    /// What the daemon last said of the pipeline (its state machine's state and reason).
    public var reported: ReportedState?
    /// Operations waiting for a row that is not there yet.
    public var parked = 0
    /// Rows refused by the mapping or the target and set aside, with why.
    public var quarantined: [QuarantineEntry] = []

    public typealias Lag = SourceLag

    /// What the running daemon says (streaming, retrying, paused with its reason ...), the
    /// same as its `/readyz`; without a running daemon, from the run log: stopped, failed, or
    /// running (a crash ended it without a record).
    public var state: String {
        // An approval given while nothing was held lets the next mass removal through: say so.
        let inAdvance =
            hold?.isApprovalInAdvance == true
            ? "; approved in advance: the next pass or batch beyond reconcile.maxRemovals goes through once" : ""
        return stateWithoutApproval + inAdvance
    }

    private var stateWithoutApproval: String {
        if let run = lastRun, run.endedAt == nil, let reported, reported.reporterIsAlive {
            var text = "\(reported.detail) (since \(reported.since))"
            if let hold, !hold.approved, reported.state != "paused" {
                // A refused `scimsync reconcile` (by hand) holds its own pass, not the stream.
                text += "; a refused reconciliation waits for `scimsync approve`: \(hold.reason)"
            }
            return text
        }
        if let hold, !hold.approved { return "paused (\(hold.reason); since \(hold.since))" }
        guard let run = lastRun else { return "never run" }
        if run.endedAt == nil { return "running" }
        return run.error == nil ? "stopped" : "failed"
    }

    /// `at binlog.000003:1234 (gtid 0-1-42)`, or that there is no position yet.
    public var positionText: String {
        switch position {
        case nil: "no position yet (the first load has not committed)"
        case .binlog(let file, let offset, let gtid)?: "at \(file):\(offset)" + (gtid.map { " (gtid \($0))" } ?? "")
        case .changeTracking(let version)?: "at change-tracking version \(version)"
        case .token(let token)?: "at \(token)"
        }
    }

    /// `hr-to-portal: at binlog.000003:1234 (gtid 0-1-42); last run started … ended …, 120 ops`
    public var line: String {
        var text = "\(name): \(state), \(positionText)"
        switch lag {
        case nil: break
        case .caughtUp?: text += ", caught up"
        case .behind(let source, let seconds)?:
            text += ", behind the source (at \(source))" + (seconds.map { ", lag \($0) s" } ?? "")
        case .unknown(let reason)?: text += ", lag unknown (\(reason))"
        }
        if parked > 0 { text += ", \(parked) operation\(parked == 1 ? "" : "s") parked (waiting for a row)" }
        if !quarantined.isEmpty {
            text += ", \(quarantined.count) row\(quarantined.count == 1 ? "" : "s") quarantined ("
                // Ids and reasons come from sources and targets: escaped, as in logs, so that
                // one cannot forge a line or move the terminal's cursor.
                + quarantined.prefix(3).map { "\($0.kind) \(LogText.safe($0.id, limit: 120)): \(LogText.safe($0.reason, limit: 300))" }
                .joined(separator: "; ")
                + (quarantined.count > 3 ? "; …" : "") + ")"
        }
        guard let run = lastRun else { return text }
        text += "; last run started \(run.startedAt)"
        if let ended = run.endedAt {
            let total = run.ops.values.reduce(0, +)
            text += ", ended \(ended), \(total) op\(total == 1 ? "" : "s")"
        } else {
            text += ", not ended (running, or stopped by a crash)"
        }
        if let error = run.error { text += "; error: \(error)" }
        return text
    }

    /// The status of every pipeline of `config`; with `askSources` (the kinds this build
    /// reads), each source is asked where it is now, to tell the lag.
    public static func all(_ config: ScimsyncConfig, askSources: SourceRegistry?) throws(OffsetStoreError) -> [PipelineStatus] {
        try all(config, store: try OffsetStore(path: config.offsets.path), askSources: askSources)
    }

    /// The status of every pipeline of `config` from an open `store` (the daemon's own, for
    /// the admin page).
    public static func all(
        _ config: ScimsyncConfig, store: OffsetStore, askSources: SourceRegistry? = nil
    ) throws(OffsetStoreError) -> [PipelineStatus] {
        var result: [PipelineStatus] = []
        for pipeline in config.pipelines {
            let position = try store.position(pipeline: pipeline.name)
            var status = PipelineStatus(
                name: pipeline.name, position: position,
                lastRun: try store.runs(pipeline: pipeline.name, kind: "run", limit: 1).first,
                hold: try store.hold(pipeline: pipeline.name), reported: try store.reportedState(pipeline: pipeline.name),
                parked: try store.parkedCount(pipeline: pipeline.name),
                quarantined: try store.quarantined(pipeline: pipeline.name))
            if let askSources, let position,
                let source = try? askSources.connector(
                    for: pipeline, store: nil, logger: Logger(label: "scimsync.status"))
            {
                status.lag = source.lag(committed: position, sourceTime: try store.sourceTime(pipeline: pipeline.name))
            }
            result.append(status)
        }
        return result
    }
}
