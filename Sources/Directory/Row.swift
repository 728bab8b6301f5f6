/// One table row: column names with their values, in table order.
///
/// Column names compare case-insensitively, as MySQL, SQL Server and unquoted PostgreSQL
/// identifiers do.
public struct Row: Sendable, Hashable {
    public var columns: [String]
    public var values: [SQLValue]

    public init(columns: [String], values: [SQLValue]) {
        precondition(columns.count == values.count, "a row needs one value per column")
        self.columns = columns
        self.values = values
    }

    public init(_ pairs: KeyValuePairs<String, SQLValue>) {
        self.columns = pairs.map(\.key)
        self.values = pairs.map(\.value)
    }

    public func index(of column: String) -> Int? {
        columns.firstIndex { $0.caseInsensitiveEquals(column) }
    }

    /// The value of `column`, or nil when the row has no such column (not the same as `.null`).
    public subscript(column: String) -> SQLValue? {
        index(of: column).map { values[$0] }
    }
}
