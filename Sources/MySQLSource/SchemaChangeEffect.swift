/// What a DDL statement means for a layout's tables. (A minimal reading; a full tokenizer
/// replaces it.)
public enum SchemaChangeEffect: Sendable, Hashable {
    case none
    /// TRUNCATE of a layout table: every row went, and the binlog carries no rows for it.
    case truncated(table: String)
    /// The statement may have changed a layout table's shape: check the mapping again.
    case reshaped(table: String)

    public static func effect(of statement: String, defaultSchema: String, layoutTables: Set<String>, database: String)
        -> SchemaChangeEffect
    {
        let words = statement.lowercased().split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).map {
            $0.replacingOccurrences(of: "`", with: "")
        }
        guard let verb = words.first else { return .none }
        for word in words.dropFirst() {
            let parts = word.split(separator: ".").map(String.init)
            let (schema, table) = parts.count == 2 ? (parts[0], parts[1]) : (defaultSchema.lowercased(), parts.first ?? "")
            guard schema == database.lowercased(), let name = layoutTables.first(where: { $0.lowercased() == table }) else {
                continue
            }
            switch verb {
            case "truncate": return .truncated(table: name)
            case "alter", "rename", "drop", "create": return .reshaped(table: name)
            default: return .none
            }
        }
        return .none
    }
}
