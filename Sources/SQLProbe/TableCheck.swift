import Config
import Connectors
import Directory
import SQLClients

/// `scimsync check` for a SQL database: it answers, and every table and column its layout
/// names exists (near misses suggested; the matching itself is the layout's,
/// `DirectoryLayout.issues(againstColumns:)`).
public enum TableCheck {
    /// Connects to `endpoint` and checks its tables against its layout.
    /// - Parameter keyPath: where the endpoint is in the configuration (`pipelines[0].target`).
    /// - Returns: the findings, and whether it could connect (what else a kind checks needs
    ///   a connection).
    public static func run(_ endpoint: Endpoint, keyPath: String) -> (connected: Bool, checks: [ConnectorCheck]) {
        let probe: DatabaseProbe
        do {
            probe = try DatabaseProbe.open(endpoint.connection)
        } catch {
            return (false, [ConnectorCheck(.failed, "\(error) (\(keyPath).\(endpoint.connection.kind))")])
        }
        return (true, [ConnectorCheck(.passed, probe.summary)] + results(probe: probe, layout: endpoint.layout, layoutKey: "\(keyPath).layout"))
    }

    static func results(probe: DatabaseProbe, layout: DirectoryLayout, layoutKey: String) -> [ConnectorCheck] {
        let columns: [String: [String]]
        do {
            columns = try probe.columnNamesByTable()
        } catch {
            return [ConnectorCheck(.failed, "cannot read the table catalog of \(probe.tableHome): \(error)")]
        }
        let issues = layout.issues(againstColumns: columns)
        guard issues.isEmpty else {
            return issues.map { ConnectorCheck(.failed, "\($0.message) in \(probe.tableHome) (\(layoutKey).\($0.path))") }
        }
        let tables = [layout.users.table, layout.groups?.table, layout.membership?.table].compactMap { $0 }
        return [ConnectorCheck(.passed, "tables \(tables.joined(separator: ", ")) have every column the layout maps")]
    }
}
