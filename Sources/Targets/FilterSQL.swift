import Directory
import SCIM

/// Translates a SCIM filter (RFC 7644 §3.4.2.2) into a SQL condition over one mapped table,
/// with every value bound as a parameter.
///
/// The attribute map decides what can be filtered: an attribute with no column is an
/// `invalidFilter` error rather than a silent non-match, so a client learns at once that the
/// server cannot answer. Elements of multi-valued attributes are the map's filtered entries
/// (`emails[type eq "work"].value` is one element whose `type` is fixed to "work" and whose
/// `value` is a column); a condition on the attribute holds when it holds for one element.
///
/// Results follow the SCIM evaluator (`Filter.matches`), not SQL's three-valued logic: an
/// absent (NULL) attribute matches no comparison but `eq null`, and `not` of a comparison on
/// an absent attribute is true, so `not (…)` becomes `(…) IS NOT TRUE`. Comparisons outside
/// `not` stay plain `column = ?` so that the database can use its indexes.
///
/// String comparisons ignore case where the schema says `caseExact: false`: PostgreSQL
/// through `LOWER()`, SQLite through `COLLATE NOCASE` (ASCII letters only), MariaDB/MySQL
/// through the column's collation (case-insensitive by default).
struct FilterSQL {
    let dialect: SQLDialect
    let table: MappedTable
    /// The table's alias in the statement.
    let alias: String
    let membership: MembershipSQL?

    /// The operands of a chain of `and`s (or of `or`s) rooted at `filter`, left to right:
    /// `(a or b) or c` gives a, b, c. Other filters are their own one operand.
    static func chain(_ filter: Filter) -> [Filter] {
        var operands: [Filter] = []
        var pending = [filter]
        while let next = pending.popLast() {
            switch (filter, next) {
            case (.and, .and(let lhs, let rhs)), (.or, .or(let lhs, let rhs)):
                pending.append(rhs)
                pending.append(lhs)
            default:
                operands.append(next)
            }
        }
        return operands
    }

    /// Appends the condition for `filter` to `builder`.
    func append(_ filter: Filter, to builder: inout StatementBuilder) throws(SCIMError) {
        switch filter {
        case .and, .or:
            // A chain of one operator is written flat, `(a OR b OR c)`: nested parentheses
            // per term overflow SQLite's parser stack ("parser stack overflow") at about a
            // hundred terms.
            let isAnd = if case .and = filter { true } else { false }
            builder.append("(")
            for (index, operand) in Self.chain(filter).enumerated() {
                if index > 0 { builder.append(isAnd ? " AND " : " OR ") }
                try append(operand, to: &builder)
            }
            builder.append(")")
        case .not(let inner):
            if case .sqlServer = dialect {
                try appendNotTrue(inner, to: &builder)
                return
            }
            builder.append("((")
            try append(inner, to: &builder)
            builder.append(") IS NOT TRUE)")
        case .compare(let path, let op, let value):
            if let membership, membership.names(path) {
                try membership.compare(op, value, alias: alias, builder: &builder)
                return
            }
            try condition(path, builder: &builder) { (target, builder) throws(SCIMError) in
                try compare(target, op, value, builder: &builder)
            }
        case .present(let path):
            if let membership, membership.names(path) {
                membership.present(alias: alias, builder: &builder)
                return
            }
            try condition(path, builder: &builder) { (target, builder) throws(SCIMError) in
                present(target, builder: &builder)
            }
        case .valuePath(let path, let inner):
            try valuePath(path, inner, builder: &builder)
        }
    }

    /// Appends a condition that is true exactly when `filter` is not (false or unknown), for
    /// SQL Server, which has no `IS NOT TRUE` (T-SQL predicates are not values). The negation
    /// is pushed down to the comparisons by De Morgan's laws (AND and OR are true exactly when
    /// their operands make them so, whatever the unknowns), and each comparison becomes
    /// `CASE WHEN c THEN 0 ELSE 1 END = 1`. CASE never nests this way: SQL Server allows ten
    /// levels ("CASE (Transact-SQL)", error 125).
    private func appendNotTrue(_ filter: Filter, to builder: inout StatementBuilder) throws(SCIMError) {
        switch filter {
        case .and, .or:
            let isAnd = if case .and = filter { true } else { false }
            builder.append("(")
            for (index, operand) in Self.chain(filter).enumerated() {
                if index > 0 { builder.append(isAnd ? " OR " : " AND ") }
                try appendNotTrue(operand, to: &builder)
            }
            builder.append(")")
        case .not(let inner):
            try append(inner, to: &builder)
        case .compare, .present, .valuePath:
            builder.append("(CASE WHEN ")
            try append(filter, to: &builder)
            builder.append(" THEN 0 ELSE 1 END = 1)")
        }
    }

    // MARK: Resolving paths

    /// What one comparison looks at: a column, or a value an element's filter fixes.
    private enum Operand {
        case column(MappedAttribute)
        case fixed(SCIMValue, AttributeDefinition?)
        case absent
    }

    /// Appends the condition `body` makes for each place `path` may be, joined with OR.
    private func condition(
        _ path: AttributePath, builder: inout StatementBuilder,
        _ body: (Operand, inout StatementBuilder) throws(SCIMError) -> Void
    ) throws(SCIMError) {
        if let filter = path.valueFilter {
            // `emails[type eq "work"].value eq "x"`: the element filter and the comparison on
            // one element.
            var inner = AttributePath(attribute: path.subAttribute ?? "value")
            inner.schema = nil
            try valuePath(
                AttributePath(schema: path.schema, attribute: path.attribute), filter, then: inner,
                builder: &builder, body)
            return
        }
        var attributes = matching(path)
        if attributes.isEmpty, path.subAttribute != nil {
            // A sub-attribute the map fixes rather than stores (`emails.type` where
            // `emails[type eq "work"].value` is mapped): `/Schemas` lists it, and each
            // element's fixed value answers for it.
            attributes = matching(AttributePath(schema: path.schema, attribute: path.attribute)).filter(\.multiValued)
        }
        if attributes.isEmpty {
            throw .invalidFilter("\(Self.text(path)) is not an attribute this server stores; filter on one of: \(filterable)")
        }
        let elements = Dictionary(grouping: attributes.filter(\.multiValued), by: { $0.elementKey ?? "" })
        if elements.isEmpty {
            guard attributes.count == 1, let only = attributes.first else {
                throw .invalidFilter("\(Self.text(path)) names a complex attribute; name one of its sub-attributes")
            }
            try body(.column(only), &builder)
            return
        }
        // A multi-valued attribute: any element, compared on the sub-attribute (`value` when
        // none is named, RFC 7644 §3.4.2.2 "emails co ...").
        let sub = path.subAttribute ?? "value"
        builder.append("(")
        for (index, key) in elements.keys.sorted().enumerated() {
            if index > 0 { builder.append(" OR ") }
            let element = elements[key] ?? []
            if case .fixed = operand(sub, inElement: element) {
                // A fixed value belongs to an element that is there: one of its columns holds
                // a value (a user without a work email has no element whose type is "work").
                builder.append("(")
                appendExists(element, builder: &builder)
                builder.append(" AND ")
                try body(operand(sub, inElement: element), &builder)
                builder.append(")")
            } else {
                try body(operand(sub, inElement: element), &builder)
            }
        }
        builder.append(")")
    }

    /// True when one of an element's columns holds a value: the element exists.
    private func appendExists(_ element: [MappedAttribute], builder: inout StatementBuilder) {
        let columns = element.map { "\(alias).\(dialect.quote(table.table.column($0.column))) IS NOT NULL" }
        builder.append(columns.isEmpty ? Self.alwaysFalse : "(" + columns.joined(separator: " OR ") + ")")
    }

    private func valuePath(_ path: AttributePath, _ inner: Filter, builder: inout StatementBuilder) throws(SCIMError) {
        try valuePath(path, inner, then: nil, builder: &builder) { _, _ throws(SCIMError) in }
    }

    /// `attr[inner]`, optionally followed by `body` on the same element (`attr[inner].sub op v`).
    private func valuePath(
        _ path: AttributePath, _ inner: Filter, then sub: AttributePath?, builder: inout StatementBuilder,
        _ body: (Operand, inout StatementBuilder) throws(SCIMError) -> Void
    ) throws(SCIMError) {
        let attributes = matching(AttributePath(schema: path.schema, attribute: path.attribute)).filter(\.multiValued)
        guard !attributes.isEmpty else {
            throw .invalidFilter("\(Self.text(path)) is not a multi-valued attribute this server stores; filter on one of: \(filterable)")
        }
        let elements = Dictionary(grouping: attributes, by: { $0.elementKey ?? "" })
        builder.append("(")
        for (index, key) in elements.keys.sorted().enumerated() {
            if index > 0 { builder.append(" OR ") }
            let element = elements[key] ?? []
            builder.append("(")
            try appendElement(inner, element, parent: path, builder: &builder)
            if let sub {
                builder.append(" AND ")
                try body(operand(sub.attribute, inElement: element), &builder)
            }
            builder.append(")")
        }
        builder.append(")")
    }

    /// A filter inside brackets, on one element: its names are sub-attributes.
    private func appendElement(
        _ filter: Filter, _ element: [MappedAttribute], parent: AttributePath, builder: inout StatementBuilder
    ) throws(SCIMError) {
        switch filter {
        case .and, .or:
            let isAnd = if case .and = filter { true } else { false }
            builder.append("(")
            for (index, operand) in Self.chain(filter).enumerated() {
                if index > 0 { builder.append(isAnd ? " AND " : " OR ") }
                try appendElement(operand, element, parent: parent, builder: &builder)
            }
            builder.append(")")
        case .not(let inner):
            if case .sqlServer = dialect {
                // No `IS NOT TRUE` in T-SQL (see `appendNotTrue`); an element's filter is short.
                builder.append("(CASE WHEN ")
                try appendElement(inner, element, parent: parent, builder: &builder)
                builder.append(" THEN 0 ELSE 1 END = 1)")
                return
            }
            builder.append("((")
            try appendElement(inner, element, parent: parent, builder: &builder)
            builder.append(") IS NOT TRUE)")
        case .compare(let path, let op, let value):
            try compare(operand(path.attribute, inElement: element), op, value, builder: &builder)
        case .present(let path):
            present(operand(path.attribute, inElement: element), builder: &builder)
        case .valuePath:
            throw .invalidFilter("a value filter cannot hold another value filter (RFC 7644 §3.4.2.2)")
        }
    }

    /// Where sub-attribute `name` of an element is: a column, a value the element's filter
    /// fixes, or nowhere.
    private func operand(_ name: String, inElement element: [MappedAttribute]) -> Operand {
        if let column = element.first(where: { $0.path.subAttribute?.caseInsensitiveEquals(name) == true }) {
            return .column(column)
        }
        if let first = element.first, let fixed = first.fixedValues[name] {
            let parent = AttributePath(schema: first.path.schema, attribute: first.path.attribute)
            return .fixed(fixed, attributeDefinition(for: parent)?.subAttribute(name))
        }
        return .absent
    }

    /// The entries whose path `path` names: the attribute itself, or one sub-attribute of it.
    private func matching(_ path: AttributePath) -> [MappedAttribute] {
        table.queryAttributes.filter { attribute in
            guard attribute.path.attribute.caseInsensitiveEquals(path.attribute),
                Self.sameSchema(attribute.path.schema, path.schema)
            else { return false }
            guard let sub = path.subAttribute else { return true }
            return attribute.path.subAttribute?.caseInsensitiveEquals(sub) == true
        }
    }

    private static func sameSchema(_ a: String?, _ b: String?) -> Bool {
        func core(_ urn: String?) -> String? {
            guard let urn else { return nil }
            return urn.caseInsensitiveEquals(SchemaURN.user) || urn.caseInsensitiveEquals(SchemaURN.group) ? nil : urn
        }
        switch (core(a), core(b)) {
        case (nil, nil): return true
        case (let x?, let y?): return x.caseInsensitiveEquals(y)
        default: return false
        }
    }

    private var filterable: String {
        var names: [String] = []
        for attribute in table.queryAttributes {
            var path = attribute.path
            path.valueFilter = nil
            let text = Self.text(path)
            if !names.contains(text) { names.append(text) }
        }
        if let membership { names.append(membership.attributeName) }
        return names.joined(separator: ", ")
    }

    static func text(_ path: AttributePath) -> String {
        var text = path.schema.map { $0 + ":" } ?? ""
        text += path.attribute
        if let sub = path.subAttribute { text += "." + sub }
        return text
    }

    // MARK: Comparisons

    private func compare(_ operand: Operand, _ op: ComparisonOperator, _ value: SCIMValue, builder: inout StatementBuilder)
        throws(SCIMError)
    {
        switch operand {
        case .absent:
            builder.append(value.isNull && op == .eq ? Self.alwaysTrue : Self.alwaysFalse)
        case .fixed(let fixed, let definition):
            let filter = Filter.compare(AttributePath(attribute: "v"), op, value)
            var renamed = definition
            renamed?.name = "v"
            let matches = filter.matches(element: .object(["v": fixed]), of: renamed.map(Self.wrapper))
            builder.append(matches ? Self.alwaysTrue : Self.alwaysFalse)
        case .column(let attribute):
            try compareColumn(attribute, op, value, builder: &builder)
        }
    }

    /// A complex attribute holding `definition` as its only sub-attribute, so that the SCIM
    /// evaluator takes case-exactness from it.
    private static func wrapper(_ definition: AttributeDefinition) -> AttributeDefinition {
        var parent = definition
        parent.name = "element"
        parent.type = .complex
        parent.multiValued = true
        parent.subAttributes = [definition]
        return parent
    }

    static let alwaysTrue = "(1 = 1)"
    static let alwaysFalse = "(1 = 0)"

    private func compareColumn(
        _ attribute: MappedAttribute, _ op: ComparisonOperator, _ value: SCIMValue, builder: inout StatementBuilder
    ) throws(SCIMError) {
        let column = "\(alias).\(dialect.quote(table.table.column(attribute.column)))"
        if value.isNull {
            switch op {
            case .eq: builder.append("\(column) IS NULL")
            case .ne: builder.append("\(column) IS NOT NULL")
            case .co, .sw, .ew, .gt, .ge, .lt, .le: builder.append(Self.alwaysFalse)
            }
            return
        }
        if case .string(let text) = value, text.utf8.contains(0), dialect.refusesNULInText {
            // No text of these databases holds a NUL (their clients refuse to send one): no
            // row has such a value.
            builder.append(op == .ne ? "\(column) IS NOT NULL" : Self.alwaysFalse)
            return
        }
        switch (op, attribute.type) {
        case (.gt, .boolean), (.ge, .boolean), (.lt, .boolean), (.le, .boolean),
            (.gt, .binary), (.ge, .binary), (.lt, .binary), (.le, .binary):
            // RFC 7644 §3.4.2.2: "Boolean and Binary attributes SHALL cause a failed response
            // (i.e., an HTTP 400 response code with a scimType of invalidFilter)".
            throw .invalidFilter("\(op.rawValue) cannot compare \(Self.text(attribute.path)), a \(attribute.type) attribute")
        default:
            break
        }
        let columnType = table.columnTypes[attribute.column] ?? .unknown("")
        let textual: Bool
        switch attribute.type {
        case .string, .reference, .binary: textual = true
        case .boolean, .decimal, .integer, .dateTime, .complex: textual = false
        }
        switch op {
        case .co, .sw, .ew:
            guard textual, case .string(let text) = value else {
                builder.append(Self.alwaysFalse)
                return
            }
            guard text.utf8.count <= Self.maxPatternValueBytes else {
                // SQLite refuses a LIKE pattern over 50,000 bytes (SQLITE_MAX_LIKE_PATTERN_LENGTH),
                // and escaping may double a value; one limit on every database keeps the answer
                // the same wherever the directory lives.
                throw .invalidFilter(
                    "\(op.rawValue) takes a value of at most \(Self.maxPatternValueBytes) bytes (UTF-8); this one has \(text.utf8.count)")
            }
            let pattern = (op == .sw ? "" : "%") + Self.likeEscaped(text, dialect) + (op == .ew ? "" : "%")
            switch dialect {
            case .postgres:
                builder.append("\(column) \(attribute.caseExact ? "LIKE" : "ILIKE") ")
            case .mariaDB, .sqlite, .sqlServer:
                // SQL Server compares by the column's collation: case-insensitive where it
                // is `_CI_`, as MariaDB's do.
                builder.append("\(column) LIKE ")
            }
            builder.bind(.text(pattern))
            builder.append(" ESCAPE '!'")
            return
        case .eq, .ne, .gt, .ge, .lt, .le:
            break
        }
        if textual ? value.stringValue == nil : attribute.type == .boolean && !Self.isBoolean(value) {
            // Values of different types never match (the SCIM evaluator's rule): `active eq 1`
            // is no more `active eq true` than `userName eq 7` is `userName eq "7"`.
            builder.append(op == .ne ? "\(column) IS NOT NULL" : Self.alwaysFalse)
            return
        }
        var value = value
        if attribute.type == .dateTime, Self.holdsText(columnType), case .string(let text) = value,
            let utc = utcDateTimeText(text)
        {
            // The column holds date-times as scimsync writes them, RFC 3339 in UTC: a filter
            // that spells the same instant with an offset must compare as that text.
            value = .string(utc)
        }
        let sqlValue: SQLValue
        do {
            sqlValue = try value.sqlValue(
                for: columnType, attributeType: attribute.type, column: attribute.column, zone: table.mapper.zone)
        } catch {
            // A value the column cannot hold (text for an integer id) is held by no row.
            builder.append(op == .ne ? "\(column) IS NOT NULL" : Self.alwaysFalse)
            return
        }
        if attribute.type == .boolean, op == .eq || op == .ne, case .boolean(let style) = columnType,
            let truth = Self.numericTruth(sqlValue, style)
        {
            // A number column read as a boolean is true when it is not zero (MySQL 8.4 manual
            // §13.1.1: "A value of zero is considered false. Nonzero values are considered
            // true."), which is how rows read back: `eq true` must find a 7 or a -1, not only 1.
            builder.append("\(column) \(truth == (op == .eq) ? "<>" : "=") 0")
            return
        }
        let symbol: String
        switch op {
        case .eq: symbol = "="
        case .ne: symbol = "<>"
        case .gt: symbol = ">"
        case .ge: symbol = ">="
        case .lt: symbol = "<"
        case .le: symbol = "<="
        case .co, .sw, .ew: symbol = "="
        }
        let foldCase = textual && !attribute.caseExact
        switch dialect {
        case .postgres where foldCase:
            builder.append("LOWER(\(column)) \(symbol) LOWER(")
            builder.bind(sqlValue)
            builder.append("::text)")
        case .sqlite where foldCase:
            builder.append("\(column) \(symbol) ")
            builder.bind(sqlValue)
            builder.append(" COLLATE NOCASE")
        case .postgres, .sqlite, .mariaDB, .sqlServer:
            builder.append("\(column) \(symbol) ")
            builder.bind(sqlValue)
        }
    }

    /// The most bytes a `co`, `sw` or `ew` value may hold: escaped, with its wildcards, it
    /// stays within SQLite's 50,000-byte LIKE pattern.
    static let maxPatternValueBytes = 20_000

    /// A boolean filter value: `true`/`false`, or the `"True"`/`"False"` Microsoft Entra ID
    /// sends (read as booleans in PATCH values too).
    private static func isBoolean(_ value: SCIMValue) -> Bool {
        switch value {
        case .bool: true
        case .string(let text): text.caseInsensitiveEquals("true") || text.caseInsensitiveEquals("false")
        default: false
        }
    }

    /// Whether a column stores a string value as its text: a character column, or one of a
    /// type scimsync does not know, which takes values in their natural form.
    private static func holdsText(_ columnType: ColumnType) -> Bool {
        switch columnType {
        case .text, .unknown: true
        case .integer, .boolean, .decimal, .double, .date, .dateTime, .timestamp, .uuid, .json, .bytes: false
        }
    }

    /// The truth a boolean filter value became for a column storing booleans as numbers
    /// (TINYINT(1) and other integers, BIT(1)); nil for the other styles, whose columns hold
    /// only their two spellings and compare with `=`.
    private static func numericTruth(_ value: SQLValue, _ style: BooleanStyle) -> Bool? {
        switch (style, value) {
        case (.tinyInt, .int(let number)): number != 0
        case (.bit, .bits(let bits, _)): bits != 0
        case (.tinyInt, _), (.bit, _), (.native, _), (.yesNo, _): nil
        }
    }

    private func present(_ operand: Operand, builder: inout StatementBuilder) {
        switch operand {
        case .absent:
            builder.append(Self.alwaysFalse)
        case .fixed(let value, _):
            builder.append(value.isNull ? Self.alwaysFalse : Self.alwaysTrue)
        case .column(let attribute):
            let column = "\(alias).\(dialect.quote(table.table.column(attribute.column)))"
            switch attribute.type {
            case .string, .reference, .binary:
                // §3.4.2.2 `pr`: "a non-empty value".
                builder.append("(\(column) IS NOT NULL AND \(column) <> '')")
            case .boolean, .decimal, .integer, .dateTime, .complex:
                builder.append("\(column) IS NOT NULL")
            }
        }
    }

    /// `text` with LIKE's wildcards and the escape character `!` escaped.
    static func likeEscaped(_ text: String, _ dialect: SQLDialect) -> String {
        // SQL Server's LIKE also reads `[…]` as a character set ("LIKE (Transact-SQL)",
        // "Using wildcard characters as literals"); an escaped `[` is a literal bracket.
        let bracket: Bool = if case .sqlServer = dialect { true } else { false }
        var escaped = ""
        for character in text {
            if character == "%" || character == "_" || character == "!" || (bracket && character == "[") {
                escaped.append("!")
            }
            escaped.append(character)
        }
        return escaped
    }
}

/// Filters on a group's `members` or a user's `groups`: an `EXISTS` over the relation (or
/// the users' group column), so that a group of any size is matched without reading it.
struct MembershipSQL {
    /// `members` on groups, `groups` on users.
    let attributeName: String
    /// The table holding the pairs, as statements name it; nil when the pair is the users
    /// table's own group column (`users.group` layouts, filtering users).
    let from: String?
    /// The pair column pointing at the filtered row (unquoted catalog spelling).
    let link: String
    /// The filtered table's id column (catalog spelling).
    let outerID: String
    /// The pair column holding the other side's id, compared with the filter's value.
    let other: String
    let otherType: ColumnType
    let dialect: SQLDialect

    /// Whether `path` is `members`, `members.value` (or `groups`, `groups.value`).
    func names(_ path: AttributePath) -> Bool {
        guard path.attribute.caseInsensitiveEquals(attributeName), path.valueFilter == nil else { return false }
        return path.subAttribute.map { $0.caseInsensitiveEquals("value") } ?? true
    }

    func compare(_ op: ComparisonOperator, _ value: SCIMValue, alias: String, builder: inout StatementBuilder)
        throws(SCIMError)
    {
        guard op == .eq, let id = value.stringValue else {
            throw .invalidFilter("\(attributeName) can be filtered with eq on an id, or pr")
        }
        if dialect.refusesNULInText, id.utf8.contains(0) {
            // As for attribute comparisons: these databases hold no text with a NUL, and
            // their clients refuse to send one.
            builder.append(FilterSQL.alwaysFalse)
            return
        }
        guard let sqlValue = try? SCIMValue.string(id).sqlValue(for: otherType, attributeType: .string, column: other)
        else {
            builder.append(FilterSQL.alwaysFalse)
            return
        }
        guard let from else {
            builder.append("\(alias).\(dialect.quote(other)) = ")
            builder.bind(sqlValue)
            return
        }
        builder.append(
            "EXISTS (SELECT 1 FROM \(from) m WHERE m.\(dialect.quote(link)) = \(alias).\(dialect.quote(outerID)) AND m.\(dialect.quote(other)) = ")
        builder.bind(sqlValue)
        builder.append(")")
    }

    func present(alias: String, builder: inout StatementBuilder) {
        guard let from else {
            builder.append("\(alias).\(dialect.quote(other)) IS NOT NULL")
            return
        }
        builder.append(
            "EXISTS (SELECT 1 FROM \(from) m WHERE m.\(dialect.quote(link)) = \(alias).\(dialect.quote(outerID)))")
    }
}
