/// Which tables' rows to decode. Rows of other tables are skipped without reading their
/// row images.
public struct TableFilter: Sendable, Hashable {
    /// `schema.table` names; nil means every table.
    public var tables: Set<String>?

    /// Every table.
    public static let all = TableFilter(tables: nil)

    /// Only these tables, each `schema.table` as the server spells them (table names are
    /// case-sensitive on Linux servers, so they are compared exactly).
    public init(tables: Set<String>?) {
        self.tables = tables
    }

    public func includes(_ table: TableMapEvent) -> Bool {
        guard let tables else { return true }
        return tables.contains(table.qualifiedName)
    }
}
