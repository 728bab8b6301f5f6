import Config
import Directory
import Logging

/// `scimsync check`: probes every database a configuration names and reports one result per
/// check. Runs synchronously: it is a short-lived command, not the daemon's hot path.
public enum Preflight {
    /// Runs every check, handing each result to `report` as it completes.
    /// - Returns: true when no check failed (warnings allowed).
    public static func run(_ config: ScimsyncConfig, sources: SourceRegistry, report: (CheckResult) -> Void) -> Bool {
        var passed = true
        let record = { (result: CheckResult) in
            if result.status == .failed { passed = false }
            report(result)
        }
        for (index, pipeline) in config.pipelines.enumerated() {
            let key = "pipelines[\(index)]"
            switch pipeline.source {
            case .sql(let endpoint):
                if check(endpoint, subject: "\(pipeline.name) source", keyPath: "\(key).source", record) {
                    streamChecks(pipeline, key: "\(key).source", sources: sources, record)
                }
            case .scim(let config):
                let result = SCIMProbe.check(
                    url: config.url, token: config.token, subject: "\(pipeline.name) source", keyPath: "\(key).source.scim")
                if result.status == .failed { passed = false }
                report(result)
            }
            switch pipeline.target {
            case .sql(let endpoint):
                check(endpoint, subject: "\(pipeline.name) target", keyPath: "\(key).target", record)
            case .scim(let config):
                let result = SCIMProbe.check(
                    url: config.url, token: config.token, subject: "\(pipeline.name) target", keyPath: "\(key).target.scim")
                if result.status == .failed { passed = false }
                report(result)
            }
        }
        if let scim = config.scim {
            check(scim.directory, subject: "scim directory", keyPath: "scim", record)
        }
        return passed
    }

    /// Connects to `endpoint` and checks its tables against the layout.
    /// - Returns: whether it could connect.
    @discardableResult
    static func check(_ endpoint: Endpoint, subject: String, keyPath: String, _ record: (CheckResult) -> Void) -> Bool {
        let connectionKey = "\(keyPath).\(endpoint.connection.kind)"
        let probe: DatabaseProbe
        do {
            probe = try DatabaseProbe.open(endpoint.connection)
        } catch {
            record(CheckResult(.failed, subject, "\(error) (\(connectionKey))"))
            return false
        }
        record(CheckResult(.passed, subject, probe.summary))
        for result in TableCheck.results(probe: probe, layout: endpoint.layout, layoutKey: "\(keyPath).layout") {
            record(CheckResult(result.status, subject, result.detail))
        }
        return true
    }

    /// What the source kind needs for streaming beyond its tables.
    static func streamChecks(
        _ pipeline: PipelineConfig, key: String, sources: SourceRegistry, _ record: (CheckResult) -> Void
    ) {
        let subject = "\(pipeline.name) source"
        do {
            let source = try sources.connector(
                for: pipeline, key: key, store: nil, logger: Logger(label: "scimsync.check"))
            for finding in source.streamChecks() {
                record(CheckResult(finding.status, subject, finding.detail))
            }
        } catch {
            record(CheckResult(.failed, subject, "\(error)"))
        }
    }
}
