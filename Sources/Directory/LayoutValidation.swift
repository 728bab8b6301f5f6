import SCIM

extension DirectoryLayout {
    /// Everything wrong with the layout on its own (no database needed), in layout order:
    ///
    /// - table and column names must be plain SQL identifiers: letters, digits, `_` and `$`,
    ///   at most 64 characters (MySQL's limit, §11.2), and for tables optionally one
    ///   `schema.table` dot. scimsync quotes identifiers anyway; this refuses names that look
    ///   like injection attempts (quotes, spaces, semicolons, comments) before any SQL exists;
    /// - every key of an attribute map must be an attribute path of the resource's schemas
    ///   (RFC 7643 §4.1 User and its §4.3 enterprise extension, URN-qualified; §4.2 Group;
    ///   the common `id`, `externalId` and `meta` of §3.1), down to a sub-attribute for
    ///   complex attributes; an issue about one key carries it as ``LayoutIssue/key`` and
    ///   says what to write instead;
    /// - every attribute map needs `id`, maps no path twice and no column twice;
    /// - value filters in a map must be `eq` comparisons joined by `and`, the only filters
    ///   that say how to build the element they select;
    /// - `users.group` and `membership` need a groups table, and exclude each other;
    /// - the users, groups and membership tables must be different tables.
    public func validate() -> [LayoutIssue] {
        var issues: [LayoutIssue] = []
        issues += Self.tableIssues(users.table, at: "users.table")
        issues += Self.mapIssues(users.attributes, at: "users.attributes", kind: .user)
        if let group = users.group {
            issues += Self.columnIssues(group, at: "users.group")
            if groups == nil {
                issues.append(LayoutIssue(path: "users.group", message: "users.group needs a groups table"))
            }
        }
        if let groups {
            issues += Self.tableIssues(groups.table, at: "groups.table")
            if groups.table.caseInsensitiveEquals(users.table) {
                issues.append(
                    LayoutIssue(path: "groups.table", message: "\"\(groups.table)\" is already the users table"))
            }
            issues += Self.mapIssues(groups.attributes, at: "groups.attributes", kind: .group)
            if let parent = groups.parent { issues += Self.columnIssues(parent, at: "groups.parent") }
        }
        if let membership {
            issues += Self.tableIssues(membership.table, at: "membership.table")
            for other in [users.table, groups?.table].compactMap(\.self)
            where other.caseInsensitiveEquals(membership.table) {
                let role = other == users.table ? "users" : "groups"
                issues.append(
                    LayoutIssue(
                        path: "membership.table", message: "\"\(membership.table)\" is already the \(role) table"))
            }
            issues += Self.columnIssues(membership.user, at: "membership.user")
            issues += Self.columnIssues(membership.group, at: "membership.group")
            if membership.user.caseInsensitiveEquals(membership.group) {
                issues.append(
                    LayoutIssue(path: "membership.group", message: "the user and group columns are the same column"))
            }
            if groups == nil {
                issues.append(LayoutIssue(path: "membership", message: "membership needs a groups table"))
            }
            if users.group != nil {
                issues.append(
                    LayoutIssue(path: "membership", message: "give either users.group or membership, not both"))
            }
        }
        return issues
    }

    // MARK: Attribute maps

    private static func mapIssues(_ map: AttributeMap, at path: String, kind: ResourceKind) -> [LayoutIssue] {
        var issues: [LayoutIssue] = []
        if map.idColumn == nil {
            issues.append(LayoutIssue(path: path, message: "no mapping for \"id\""))
        }
        for (index, entry) in map.entries.enumerated() {
            let earlier = map.entries[..<index]
            if let problem = MappableAttributes.problem(entry.path, text: entry.pathText, kind: kind) {
                issues.append(LayoutIssue(path: path, key: entry.pathText, message: problem))
            }
            if entry.column.isEmpty {
                issues.append(LayoutIssue(path: path, message: "the column for \(entry.pathText) is empty"))
            } else if let problem = identifierProblem(entry.column, allowSchema: false) {
                issues.append(LayoutIssue(path: path, message: "the column for \(entry.pathText): \(problem)"))
            }
            if let filter = entry.path.valueFilter, EqualityFilter.pairs(filter) == nil {
                issues.append(
                    LayoutIssue(
                        path: path,
                        message: "\(entry.pathText): a value filter in a map must be \"eq\" comparisons joined by"
                            + " \"and\", such as emails[type eq \"work\"].value"))
            }
            if let first = earlier.first(where: { $0.path.normalized == entry.path.normalized }) {
                issues.append(
                    LayoutIssue(
                        path: path,
                        message:
                            "\(entry.pathText) is mapped twice (columns \"\(first.column)\" and \"\(entry.column)\")"))
            }
            if !entry.column.isEmpty,
                let first = earlier.first(where: { $0.column.caseInsensitiveEquals(entry.column) })
            {
                issues.append(
                    LayoutIssue(
                        path: path,
                        message: "column \"\(entry.column)\" is mapped twice (\(first.pathText) and \(entry.pathText))")
                )
            }
        }
        return issues
    }

    // MARK: Identifiers

    private static func tableIssues(_ name: String, at path: String) -> [LayoutIssue] {
        if name.isEmpty { return [LayoutIssue(path: path, message: "the table name is empty")] }
        return identifierProblem(name, allowSchema: true).map { [LayoutIssue(path: path, message: $0)] } ?? []
    }

    private static func columnIssues(_ name: String, at path: String) -> [LayoutIssue] {
        if name.isEmpty { return [LayoutIssue(path: path, message: "the column name is empty")] }
        return identifierProblem(name, allowSchema: false).map { [LayoutIssue(path: path, message: $0)] } ?? []
    }

    /// Why `name` is not a plain identifier, or nil when it is one.
    /// Why `name` is not a plain SQL identifier (letters, digits, `_`, `$`, at most 64
    /// characters; with `allowSchema`, optionally `schema.table`), or nil when it is one.
    public static func identifierProblem(_ name: String, allowSchema: Bool) -> String? {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        let plain =
            parts.count <= (allowSchema ? 2 : 1)
            && parts.allSatisfy { part in
                !part.isEmpty && part.count <= 64
                    && part.allSatisfy { $0.isLetter || $0.isASCIIDigit || $0 == "_" || $0 == "$" }
            }
        if plain { return nil }
        return allowSchema
            ? "\"\(name)\" is not a plain SQL table name (letters, digits, \"_\" and \"$\", optionally"
                + " schema.table, at most 64 characters each)"
            : "\"\(name)\" is not a plain SQL column name (letters, digits, \"_\" and \"$\", at most 64 characters)"
    }
}
