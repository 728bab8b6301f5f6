import Directory
import SQLClients

/// Whether the source's tables still hold every table and column a layout maps, asked of the
/// catalog after a DDL statement reshaped a layout table (``SchemaChangeEffect/reshaped(table:)``).
///
/// A mapped column that was renamed or dropped does not fail the stream by itself: later row
/// events simply lack it, and the row would read as NULL, clearing the attribute at the target
/// for every user that changes. The pipeline pauses instead while this returns a problem, and
/// resumes once the source or the configuration fits again.
public enum MappingCheck {
    /// What to do, after "rename it back": the operator either undoes the DDL statement or
    /// follows it in the configuration.
    static let fix = "or change the layout in the configuration; the pipeline resumes by itself once they fit"

    /// Nil when every table and column `layout` maps exists in `database`; otherwise one message
    /// naming each missing table or column, what the layout maps to it, and the fix:
    ///
    ///     source table sync_users has no column email (mapped to emails[type eq "work"].value;
    ///     did you mean mail?): rename it back, or change the layout in the configuration; the
    ///     pipeline resumes by itself once they fit
    ///
    /// Reads `information_schema.COLUMNS` once per layout table. Names compare ignoring case,
    /// as MySQL compares column names. A layout table spelt `schema.table` is looked up in
    /// `schema`, others in `database`.
    ///
    /// - Throws: the connection's error when the catalog cannot be read (a lost connection is
    ///   no verdict on the mapping: retry).
    public static func problem(layout: DirectoryLayout, database: String, connection: MariaDBConnection) throws -> String? {
        var problems: [String] = []
        for use in layout.tableUses {
            let parts = use.table.split(separator: ".", maxSplits: 1).map(String.init)
            let (schema, table) = parts.count == 2 ? (parts[0], parts[1]) : (database, use.table)
            guard let columns = try connection.columns(ofTable: table, database: schema) else {
                let hint = didYouMean(table, among: try connection.tableNames(database: schema))
                problems.append(
                    "source table \(table) does not exist in database \(schema) (the layout's \(use.path)"
                        + (hint.map { "; did you mean \($0)?" } ?? "") + ")")
                continue
            }
            problems += missingColumns(of: use, table: table, existing: columns.map(\.name))
        }
        guard !problems.isEmpty else { return nil }
        return problems.joined(separator: "; ") + ": " + (problems.count == 1 ? "rename it back, " : "rename them back, ")
            + fix
    }

    /// One problem per missing column, naming every use the layout makes of it.
    static func missingColumns(of use: LayoutTableUse, table: String, existing: [String]) -> [String] {
        var missing: [(column: String, uses: [String])] = []
        for column in use.columns where !existing.contains(where: { $0.lowercased() == column.column.lowercased() }) {
            let purpose = column.attribute.map { "mapped to \($0)" } ?? "the layout's \(column.path)"
            if let index = missing.firstIndex(where: { $0.column.lowercased() == column.column.lowercased() }) {
                if !missing[index].uses.contains(purpose) { missing[index].uses.append(purpose) }
            } else {
                missing.append((column.column, [purpose]))
            }
        }
        return missing.map { column, uses in
            let hint = didYouMean(column, among: existing).map { "; did you mean \($0)?" } ?? ""
            return "source table \(table) has no column \(column) (\(uses.joined(separator: ", "))\(hint))"
        }
    }
}
