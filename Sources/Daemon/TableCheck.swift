import Directory
import SQLClients

/// Checks that every table and column a layout names exists in the database, suggesting
/// near misses; the matching itself is the layout's (`DirectoryLayout.issues(againstColumns:)`).
enum TableCheck {
    static func results(probe: DatabaseProbe, layout: DirectoryLayout, layoutKey: String)
        -> [(status: CheckResult.Status, detail: String)]
    {
        let columns: [String: [String]]
        do {
            columns = try probe.columnNamesByTable()
        } catch {
            return [(.failed, "cannot read the table catalog of \(probe.tableHome): \(error)")]
        }
        let issues = layout.issues(againstColumns: columns)
        guard issues.isEmpty else {
            return issues.map { (.failed, "\($0.message) in \(probe.tableHome) (\(layoutKey).\($0.path))") }
        }
        let tables = [layout.users.table, layout.groups?.table, layout.membership?.table].compactMap { $0 }
        return [(.passed, "tables \(tables.joined(separator: ", ")) have every column the layout maps")]
    }
}
