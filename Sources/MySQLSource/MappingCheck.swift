import Directory
import SQLClients

/// Whether the source's tables still carry every table and column the layout maps.
public enum MappingCheck {
    /// nil when they do; otherwise what is missing and how to fix it.
    public static func problem(layout: DirectoryLayout, database: String, connection: MariaDBConnection) throws -> String? {
        var columns: [String: [String]] = [:]
        for table in BinlogChangeSource.tables(of: layout) {
            let found = try connection.catalogColumns(database: database, table: table).map(\.name)
            if !found.isEmpty { columns[table] = found }
        }
        let issues = layout.issues(againstColumns: columns)
        guard !issues.isEmpty else { return nil }
        return "the source no longer fits the layout: "
            + issues.map { "\($0.path): \($0.message)" }.joined(separator: "; ")
            + "; nothing more is applied until the source's tables or the configuration's layout are fixed, "
            + "then the pipeline resumes by itself"
    }
}
