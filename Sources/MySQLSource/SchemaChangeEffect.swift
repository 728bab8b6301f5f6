/// What a statement the binlog carries as text (a DDL statement, a TRUNCATE) does to the tables
/// a layout reads, decided from the statement alone.
///
/// Row-based replication logs such statements as text, never as row events (MariaDB manual,
/// "Binary Log Formats": "DDL statements are always logged as statements"): a TRUNCATE of a
/// layout table removes every row without a single delete event, and an ALTER that renames or
/// drops a mapped column makes later rows lack it. The pipeline turns ``truncated(table:)``
/// into a resync and ``reshaped(table:)`` into a new ``MappingCheck``.
public enum SchemaChangeEffect: Sendable, Hashable {
    /// The statement changes no layout table (another schema or table, an index, a grant ...).
    case none
    /// Rows of the layout table were removed or replaced without row events: TRUNCATE [TABLE],
    /// and the ALTER TABLE operations that do the same to a part or all of it (TRUNCATE, DROP
    /// or EXCHANGE PARTITION, IMPORT or DISCARD TABLESPACE). Reconcile from a new snapshot.
    /// A statement that also reshapes the table is `truncated`: reading a new snapshot reads
    /// the table's columns again.
    case truncated(table: String)
    /// The layout table's definition changed, or a table took or left its name: ALTER TABLE,
    /// RENAME TABLE (either side), DROP TABLE, CREATE [OR REPLACE] TABLE, CREATE or DROP INDEX
    /// on it, DROP DATABASE of the layout's database. Check the mapping again.
    case reshaped(table: String)

    /// What `statement` does to the layout's tables.
    ///
    /// - Parameters:
    ///   - statement: the statement's text, as the binlog's QUERY event holds it.
    ///   - defaultSchema: the session's default database when the statement ran (the QUERY
    ///     event's schema, `change.schema`); it holds the unqualified names. A name qualified in
    ///     the statement (`db.t`) is in `db` whatever the default.
    ///   - layoutTables: the layout's table names as it spells them (users, groups, relation);
    ///     a `schema.table` spelling is matched in that schema.
    ///   - database: the source database that holds the layout's unqualified tables.
    /// - Returns: the effect, naming the table as `layoutTables` spells it. Names compare
    ///   ignoring case: on a server with case-sensitive table names a statement on `Users`
    ///   is then taken as one on `users`, which costs a check and never misses a change.
    public static func effect(
        of statement: String, defaultSchema: String, layoutTables: Set<String>, database: String
    ) -> SchemaChangeEffect {
        var parser = SchemaStatementParser(
            tokens: statementTokens(statement), defaultSchema: defaultSchema, layoutTables: layoutTables,
            database: database)
        return parser.effect()
    }

    /// The layout table a statement logged as text inside a transaction names, if any: a
    /// write logged as a statement (binlog_format STATEMENT or MIXED in its session) carries
    /// no rows, so a layout table it names must be read again. Any mention counts (a name in
    /// a subquery too): reading again when it was not needed costs time, never a change.
    public static func namedLayoutTable(
        in statement: String, defaultSchema: String, layoutTables: Set<String>, database: String
    ) -> String? {
        var parser = SchemaStatementParser(
            tokens: statementTokens(statement), defaultSchema: defaultSchema, layoutTables: layoutTables,
            database: database)
        return parser.anyLayoutTable()
    }
}

/// Reads one statement's tokens far enough to find the layout tables it names.
struct SchemaStatementParser {
    let tokens: [StatementToken]
    let defaultSchema: String
    let layoutTables: Set<String>
    let database: String
    private var index = 0

    init(tokens: [StatementToken], defaultSchema: String, layoutTables: Set<String>, database: String) {
        self.tokens = tokens
        self.defaultSchema = defaultSchema
        self.layoutTables = layoutTables
        self.database = database
    }

    mutating func effect() -> SchemaChangeEffect {
        guard let verb = take() else { return .none }
        switch verb {
        case "TRUNCATE":
            // TRUNCATE [TABLE] tbl_name [WAIT n | NOWAIT]
            skip("TABLE")
            return name().flatMap(layoutTable).map { .truncated(table: $0) } ?? .none
        case "ALTER":
            return alter()
        case "RENAME":
            return rename()
        case "DROP":
            return drop()
        case "CREATE":
            return create()
        default:
            return .none
        }
    }

    /// The first layout table any name of the statement spells.
    mutating func anyLayoutTable() -> String? {
        while index < tokens.count {
            let start = index
            if let found = name().flatMap(layoutTable) { return found }
            index = max(index, start + 1)
        }
        return nil
    }

    // MARK: Statements

    /// ALTER [ONLINE | OFFLINE] [IGNORE] TABLE [IF EXISTS] tbl_name alter_specification, ...
    private mutating func alter() -> SchemaChangeEffect {
        while skip("ONLINE") || skip("OFFLINE") || skip("IGNORE") {}
        guard skip("TABLE") else { return .none }
        skipIfExists()
        guard let altered = name() else { return .none }
        var reshaped = layoutTable(altered)
        var truncated: String?
        var depth = 0
        while index < tokens.count {
            let token = tokens[index]
            index += 1
            switch token {
            case .symbol("("): depth += 1
            case .symbol(")"): depth = max(0, depth - 1)
            case .word where depth == 0:
                let keyword = token.keyword ?? ""
                let next = peek() ?? ""
                if ["TRUNCATE", "DROP", "EXCHANGE"].contains(keyword), next == "PARTITION" {
                    truncated = truncated ?? layoutTable(altered)
                    // EXCHANGE PARTITION p WITH TABLE other swaps rows with `other` too.
                    if keyword == "EXCHANGE" {
                        while index < tokens.count, peek() != "TABLE", tokens[index] != .symbol(",") { index += 1 }
                        if skip("TABLE"), let other = name() { truncated = truncated ?? layoutTable(other) }
                    }
                } else if ["IMPORT", "DISCARD"].contains(keyword), next == "TABLESPACE" {
                    truncated = truncated ?? layoutTable(altered)
                } else if keyword == "RENAME", !["COLUMN", "INDEX", "KEY"].contains(next) {
                    // RENAME [TO | AS] new_tbl_name: the new name may be a layout table's.
                    _ = skip("TO") || skip("AS") || skip("=")
                    if let renamed = name() { reshaped = reshaped ?? layoutTable(renamed) }
                }
            default:
                break
            }
        }
        if let truncated { return .truncated(table: truncated) }
        return reshaped.map { .reshaped(table: $0) } ?? .none
    }

    /// RENAME TABLE[S] [IF EXISTS] tbl [WAIT n | NOWAIT] TO new_tbl [, tbl2 TO new_tbl2] ...
    private mutating func rename() -> SchemaChangeEffect {
        guard skip("TABLE") || skip("TABLES") else { return .none }
        skipIfExists()
        return reshapedByNameList()
    }

    /// DROP [TEMPORARY] TABLE[S] [IF EXISTS] tbl [, tbl] ..., DROP {DATABASE | SCHEMA} db,
    /// DROP INDEX idx ON tbl.
    private mutating func drop() -> SchemaChangeEffect {
        // A temporary table shadows a base table of the same name only in its own session,
        // and row-based logging carries nothing done to it.
        if skip("TEMPORARY") { return .none }
        if skip("TABLE") || skip("TABLES") {
            skipIfExists()
            return reshapedByNameList()
        }
        if skip("DATABASE") || skip("SCHEMA") {
            skipIfExists()
            guard let dropped = take(caseKept: true) else { return .none }
            return layoutTables.sorted().first { place(of: $0).schema.sameName(as: dropped) }
                .map { .reshaped(table: $0) } ?? .none
        }
        return indexOn()
    }

    /// CREATE [OR REPLACE] [TEMPORARY] TABLE [IF NOT EXISTS] tbl ..., and CREATE ... INDEX
    /// ... ON tbl.
    private mutating func create() -> SchemaChangeEffect {
        if skip("OR") { skip("REPLACE") }
        if skip("TEMPORARY") { return .none }
        if skip("TABLE") {
            skipIfExists()
            return name().flatMap(layoutTable).map { .reshaped(table: $0) } ?? .none
        }
        return indexOn()
    }

    /// [ONLINE | OFFLINE] [UNIQUE | FULLTEXT | SPATIAL] INDEX [IF [NOT] EXISTS] idx
    /// [USING type] ON tbl: the indexed table.
    private mutating func indexOn() -> SchemaChangeEffect {
        while ["ONLINE", "OFFLINE", "UNIQUE", "FULLTEXT", "SPATIAL", "VECTOR"].contains(peek() ?? "") { index += 1 }
        guard skip("INDEX") else { return .none }
        skipIfExists()
        guard name() != nil else { return .none }
        if skip("USING") { index += 1 }
        guard skip("ON") else { return .none }
        return name().flatMap(layoutTable).map { .reshaped(table: $0) } ?? .none
    }

    /// Every table name of a comma-separated list (RENAME's `a TO b` pairs included); the first
    /// layout table among them, reshaped.
    private mutating func reshapedByNameList() -> SchemaChangeEffect {
        while index < tokens.count {
            if let table = name(), let layout = layoutTable(table) {
                return .reshaped(table: layout)
            }
            // Past TO, WAIT n, NOWAIT, RESTRICT, CASCADE, commas and comments' leftovers.
            while index < tokens.count, !(skip("TO") || skip(",")) {
                index += 1
            }
        }
        return .none
    }

    // MARK: Names

    /// A possibly qualified table name: `t`, `db.t`, `` `db`.`t` ``.
    private mutating func name() -> (schema: String?, table: String)? {
        guard index < tokens.count, let first = tokens[index].name else { return nil }
        index += 1
        if index + 1 < tokens.count, tokens[index] == .symbol("."), let second = tokens[index + 1].name {
            index += 2
            return (first, second)
        }
        return (nil, first)
    }

    /// The layout's spelling of the table `name` names, if it is a layout table.
    private func layoutTable(_ name: (schema: String?, table: String)) -> String? {
        let schema = name.schema ?? defaultSchema
        return layoutTables.sorted().first { layoutName in
            let place = place(of: layoutName)
            return schema.sameName(as: place.schema) && name.table.sameName(as: place.table)
        }
    }

    /// Where a layout table is: `schema.table` as written, a bare name in `database`.
    private func place(of layoutName: String) -> (schema: String, table: String) {
        let parts = layoutName.split(separator: ".", maxSplits: 1).map(String.init)
        return parts.count == 2 ? (parts[0], parts[1]) : (database, layoutName)
    }

    // MARK: Tokens

    /// The next token's keyword, without taking it.
    private func peek() -> String? {
        index < tokens.count ? tokens[index].keyword : nil
    }

    /// Takes the next token and returns its keyword (or, with `caseKept`, its name as spelt).
    private mutating func take(caseKept: Bool = false) -> String? {
        guard index < tokens.count else { return nil }
        defer { index += 1 }
        return caseKept ? tokens[index].name : tokens[index].keyword
    }

    /// Takes the next token when it is `keyword` (a bare word) or the symbol `keyword`.
    @discardableResult
    private mutating func skip(_ keyword: String) -> Bool {
        guard index < tokens.count else { return false }
        let matches =
            switch tokens[index] {
            case .word(let word): word.uppercased() == keyword
            case .symbol(let symbol): String(symbol) == keyword
            case .quoted, .string: false
            }
        if matches { index += 1 }
        return matches
    }

    /// IF EXISTS or IF NOT EXISTS.
    private mutating func skipIfExists() {
        guard peek() == "IF" else { return }
        index += 1
        skip("NOT")
        skip("EXISTS")
    }
}

extension String {
    /// Names compare ignoring case (see ``SchemaChangeEffect/effect(of:defaultSchema:layoutTables:database:)``).
    fileprivate func sameName(as other: String) -> Bool {
        lowercased() == other.lowercased()
    }
}
