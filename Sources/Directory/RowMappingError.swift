/// A row that cannot become a SCIM resource (or operation), or a resource that cannot
/// become a row. Descriptions name the table and column, never the values.
public enum RowMappingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A column value failed to convert.
    case value(table: String, ValueConversionError)
    /// The row has no id (the id column is NULL or missing), or the resource has none.
    case missingID(table: String, column: String)

    public var description: String {
        switch self {
        case .value(let table, let error):
            return "table \(table): \(error)"
        case .missingID(let table, let column):
            return "table \(table): a row or resource has no id in column \"\(column)\"; every one needs an id"
        }
    }

    /// What was wrong, for a SCIM client (``ValueConversionError/clientDescription``): no
    /// table or column.
    public var clientDescription: String {
        switch self {
        case .value(_, let error): error.clientDescription
        case .missingID: "the resource has no id"
        }
    }
}
