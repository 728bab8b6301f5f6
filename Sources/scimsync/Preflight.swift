import Config
import Connectors
import Daemon
import Logging
import SQLProbe

/// `scimsync check`: asks every source and target a configuration names to check itself (its
/// kind's probe) and reports one result per finding.
public enum Preflight {
    /// Runs every check, handing each result to `report` as it completes. Each probe runs on a
    /// thread of its own: database clients block.
    /// - Returns: true when no check failed (warnings allowed).
    public static func run(
        _ config: ScimsyncConfig, sources: SourceRegistry, targets: TargetRegistry,
        report: @escaping (CheckResult) -> Void
    ) async -> Bool {
        var passed = true
        let record = { (subject: String, checks: [ConnectorCheck]) in
            for check in checks {
                if check.status == .failed { passed = false }
                report(CheckResult(check.status, subject, check.detail))
            }
        }
        let logger = Logger(label: "scimsync.check")
        for (index, pipeline) in config.pipelines.enumerated() {
            let key = "pipelines[\(index)]"
            do {
                let source = try sources.connector(
                    for: pipeline, key: "\(key).source", store: nil, offsetsPath: config.offsets.path, logger: logger)
                record("\(pipeline.name) source", try await offPool { await source.probe() })
            } catch {
                record("\(pipeline.name) source", [ConnectorCheck(.failed, "\(error) (\(key).source)")])
            }
            do {
                let target = try targets.connector(for: pipeline, key: "\(key).target", store: nil, logger: logger)
                record("\(pipeline.name) target", try await offPool { await target.probe() })
            } catch {
                record("\(pipeline.name) target", [ConnectorCheck(.failed, "\(error) (\(key).target)")])
            }
        }
        if let scim = config.scim {
            let checks = (try? await offPool { TableCheck.run(scim.directory, keyPath: "scim").checks }) ?? []
            record("scim directory", checks)
        }
        record("offset store", [OffsetStoreCheck.run(path: config.offsets.path)])
        return passed
    }

    /// Runs `body` on a thread of its own, off Swift's cooperative pool.
    private static func offPool(_ body: @escaping @Sendable () async -> [ConnectorCheck]) async throws -> [ConnectorCheck] {
        try await BlockingThread.run(named: "scimsync.check") { _ in await body() }
    }
}
