import Config
import Directory
import OffsetStore

/// What `scimsync status` reports for one pipeline, from the offset store alone (it works
/// while the daemon runs: the store is in WAL mode).
public struct PipelineStatus: Sendable, Hashable {
    public var name: String
    /// Where the pipeline resumes; nil before its first load committed.
    public var position: SourcePosition?
    public var lastRun: RunRecord?

    /// `hr-to-portal: at binlog.000003:1234 (gtid 0-1-42); last run started … ended …, 120 ops`
    public var line: String {
        var text = "\(name): "
        switch position {
        case nil: text += "no position yet (the first load has not committed)"
        case .binlog(let file, let offset, let gtid)?: text += "at \(file):\(offset)" + (gtid.map { " (gtid \($0))" } ?? "")
        case .changeTracking(let version)?: text += "at change-tracking version \(version)"
        case .token(let token)?: text += "at \(token)"
        }
        guard let run = lastRun else { return text + "; never run" }
        text += "; last run started \(run.startedAt)"
        if let ended = run.endedAt {
            let total = run.ops.values.reduce(0, +)
            text += ", ended \(ended), \(total) op\(total == 1 ? "" : "s")"
        } else {
            text += ", still running (or stopped without ending: a crash)"
        }
        if let error = run.error { text += "; error: \(error)" }
        return text
    }

    /// The status of every pipeline of `config`.
    public static func all(_ config: ScimsyncConfig) throws(OffsetStoreError) -> [PipelineStatus] {
        let store = try OffsetStore(path: config.offsets.path)
        var result: [PipelineStatus] = []
        for pipeline in config.pipelines {
            result.append(PipelineStatus(
                name: pipeline.name, position: try store.position(pipeline: pipeline.name),
                lastRun: try store.runs(pipeline: pipeline.name, limit: 1).first))
        }
        return result
    }
}
