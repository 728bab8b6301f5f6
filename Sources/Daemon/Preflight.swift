import Config
import Directory
import SQLClients

/// `scimsync check`: probes every database a configuration names and reports one result per
/// check. Runs synchronously: it is a short-lived command, not the daemon's hot path.
public enum Preflight {
    /// Runs every check, handing each result to `report` as it completes.
    /// - Returns: true when no check failed (warnings allowed).
    public static func run(_ config: ScimsyncConfig, report: (CheckResult) -> Void) -> Bool {
        var passed = true
        let record = { (result: CheckResult) in
            if result.status == .failed { passed = false }
            report(result)
        }
        for (index, pipeline) in config.pipelines.enumerated() {
            let key = "pipelines[\(index)]"
            switch pipeline.source {
            case .sql(let endpoint):
                check(endpoint, subject: "\(pipeline.name) source", keyPath: "\(key).source", replicaSource: true, record)
            case .scim(let config):
                let result = SCIMProbe.check(
                    url: config.url, token: config.token, subject: "\(pipeline.name) source", keyPath: "\(key).source.scim")
                if result.status == .failed { passed = false }
                report(result)
            }
            switch pipeline.target {
            case .sql(let endpoint):
                check(endpoint, subject: "\(pipeline.name) target", keyPath: "\(key).target", replicaSource: false, record)
            case .scim(let config):
                let result = SCIMProbe.check(
                    url: config.url, token: config.token, subject: "\(pipeline.name) target", keyPath: "\(key).target.scim")
                if result.status == .failed { passed = false }
                report(result)
            }
        }
        if let scim = config.scim {
            check(scim.directory, subject: "scim directory", keyPath: "scim", replicaSource: false, record)
        }
        return passed
    }

    static func check(
        _ endpoint: Endpoint, subject: String, keyPath: String, replicaSource: Bool, _ record: (CheckResult) -> Void
    ) {
        let connectionKey = "\(keyPath).\(endpoint.connection.kind)"
        let probe: DatabaseProbe
        do {
            probe = try DatabaseProbe.open(endpoint.connection)
        } catch {
            record(CheckResult(.failed, subject, "\(error) (\(connectionKey))"))
            return
        }
        record(CheckResult(.passed, subject, probe.summary))
        for result in TableCheck.results(probe: probe, layout: endpoint.layout, layoutKey: "\(keyPath).layout") {
            record(CheckResult(result.status, subject, result.detail))
        }
        if replicaSource, case .mysql(let connection, let config) = probe {
            for result in binlogResults(connection, config: config, connectionKey: connectionKey) {
                record(CheckResult(result.status, subject, result.detail))
            }
        }
    }

    /// A MySQL/MariaDB source must log full row images and let the user read the binlog.
    static func binlogResults(
        _ connection: MariaDBConnection, config: MySQLConnectionConfig, connectionKey: String
    ) -> [(status: CheckResult.Status, detail: String)] {
        let settings: BinlogSettings
        do {
            settings = try connection.binlogSettings()
        } catch {
            return [(.failed, "cannot read the binlog settings: \(error) (\(connectionKey))")]
        }
        var results: [(status: CheckResult.Status, detail: String)] = settings.problems.map { (.failed, "binlog: \($0)") }
        if let serverId = config.serverId, let own = settings.serverID, UInt64(serverId) == own {
            results.append((.failed, "serverId \(serverId) is the server's own server_id: choose another (\(connectionKey).serverId)"))
        }
        if results.isEmpty {
            let metadata = settings.binlogRowMetadata.map { ", row metadata \($0)" } ?? ""
            let format = settings.binlogFormat ?? "?"
            let image = settings.binlogRowImage ?? "?"
            results.append((.passed, "binlog on, format \(format), row image \(image)\(metadata); the user may read it"))
        }
        results += settings.recommendations.map { (.warning, "binlog: \($0)") }
        return results
    }
}
