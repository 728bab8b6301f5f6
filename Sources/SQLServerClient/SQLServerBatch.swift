/// The text sp_executesql runs and its parameter declaration list.
struct SQLServerBatch: Hashable {
    /// `@stmt`: presets for values db-lib cannot send (see `presetStatement`), then the caller's SQL.
    var statement: String
    /// `@params`, e.g. `@p1 nvarchar(max), @p2 bigint`.
    var declarations: String
    /// The parameter names in order: `@p1`, `@p2`, ...
    var names: [String]

    init(sql: String, parameters: [SQLServerParameter]) {
        names = parameters.indices.map { "@p\($0 + 1)" }
        declarations = zip(names, parameters).map { "\($0) \($1.declaredType)" }.joined(separator: ", ")
        let presets = zip(names, parameters).compactMap { $1.presetStatement(name: $0) }
        statement = presets.isEmpty ? sql : presets.joined(separator: " ") + "\n" + sql
    }
}
