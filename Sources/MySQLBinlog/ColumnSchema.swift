/// What `information_schema.COLUMNS` says about a column, for TABLE_MAPs that came without
/// optional metadata (MySQL's default `binlog_row_metadata=MINIMAL`).
public struct ColumnSchema: Sendable, Hashable {
    public var name: String
    public var isUnsigned: Bool
    /// `COLLATION_NAME`'s id (`information_schema.COLLATIONS.ID`); nil for non-text columns.
    public var collationID: Int?
    /// ENUM or SET members in definition order, parsed from `COLUMN_TYPE`.
    public var members: [String]?
    /// MariaDB's JSON alias: a LONGTEXT the binlog carries as text, holding a JSON document.
    public var holdsJSONText: Bool

    public init(
        name: String, isUnsigned: Bool = false, collationID: Int? = nil, members: [String]? = nil,
        holdsJSONText: Bool = false
    ) {
        self.name = name
        self.isUnsigned = isUnsigned
        self.collationID = collationID
        self.members = members
        self.holdsJSONText = holdsJSONText
    }

    /// From `information_schema.COLUMNS.COLUMN_TYPE` text: `int(10) unsigned` is unsigned,
    /// `enum('a','it''s')` and `set(...)` list their members (quotes doubled inside).
    public init(name: String, columnType: String, collationID: Int?, holdsJSONText: Bool) {
        let lowered = columnType.lowercased()
        var members: [String]?
        if lowered.hasPrefix("enum(") || lowered.hasPrefix("set(") {
            members = Self.quotedList(columnType.drop { $0 != "(" }.dropFirst())
        }
        self.init(
            name: name, isUnsigned: lowered.hasSuffix(" unsigned") || lowered.contains(" unsigned "),
            collationID: collationID, members: members, holdsJSONText: holdsJSONText)
    }

    /// `'a','it''s')` → `["a", "it's"]`.
    private static func quotedList(_ text: Substring) -> [String] {
        var members: [String] = []
        var current = ""
        var inQuote = false
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            let next = text.index(after: index)
            if inQuote {
                if character == "'" {
                    if next < text.endIndex, text[next] == "'" {
                        current.append("'")
                        index = text.index(after: next)
                        continue
                    }
                    inQuote = false
                    members.append(current)
                    current = ""
                } else {
                    current.append(character)
                }
            } else if character == "'" {
                inQuote = true
            }
            index = next
        }
        return members
    }
}

extension TableMapEvent {
    /// This TABLE_MAP with names, signedness, charsets and ENUM/SET members taken from
    /// `columns` (one per column, in table order). Values the TABLE_MAP carried itself win:
    /// they describe the table as it was when the row was written, a cached schema may not.
    /// Throws when the column count differs: the cache describes another version of the table.
    public func describing(_ columns: [ColumnSchema]) throws(BinlogDecodeError) -> TableMapEvent {
        guard columns.count == self.columns.count else {
            throw BinlogDecodeError(
                reason: .columnCountMismatch(tableMap: self.columns.count, rowsEvent: columns.count),
                position: nil, eventTypeCode: header.typeCode
            )
        }
        var described = self
        for (index, schema) in columns.enumerated() {
            var column = described.columns[index]
            if column.name == nil { column.name = schema.name }
            if !hasSignedness { column.isUnsigned = schema.isUnsigned }
            if column.collationID == nil { column.collationID = schema.collationID }
            if column.members == nil { column.members = schema.members }
            column.holdsJSONText = schema.holdsJSONText
            described.columns[index] = column
        }
        described.hasColumnNames = true
        described.plan = RowDecodingPlan(
            decodings: described.columns.map { $0.makeDecoding() }, members: described.columns.map(\.members)
        )
        return described
    }
}
