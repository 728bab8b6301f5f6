import Directory

/// The condition that keeps the rows after a position in a page's order (`ORDER BY sort, id`
/// or `ORDER BY id`): the `WHERE` half of keyset paging.
///
/// A row's sort value may be NULL, and the databases place NULLs differently: MariaDB and
/// SQLite sort them first in ascending order and last in descending order, PostgreSQL the
/// other way round. The condition follows the database's own placement, so that the page's
/// `ORDER BY` stays the one an index on the sort column can serve.
struct KeysetPredicate {
    /// The `ORDER BY` expression of the sort attribute; nil when the order is by id alone.
    var sortExpression: String?
    /// The direction the page reads the sort expression in.
    var sortAscending: Bool
    var idExpression: String
    var idAscending: Bool
    /// The position's value of the sort expression (`.null` for none); unused without one.
    var sortKey: SQLValue?
    var id: SQLValue
    /// Whether this database sorts NULL before every value in ascending order.
    var nullsFirstAscending: Bool

    func append(to builder: inout StatementBuilder) {
        let idAfter = idAscending ? " > " : " < "
        guard let sortExpression else {
            builder.append(idExpression + idAfter)
            builder.bind(id)
            return
        }
        let nullsFirst = sortAscending == nullsFirstAscending
        let key = sortKey ?? .null
        builder.append("(")
        if key == .null {
            // Among the NULLs the id decides; when NULLs come first, every valued row follows.
            builder.append("(\(sortExpression) IS NULL AND \(idExpression)\(idAfter)")
            builder.bind(id)
            builder.append(")")
            if nullsFirst { builder.append(" OR \(sortExpression) IS NOT NULL") }
        } else {
            builder.append("\(sortExpression)\(sortAscending ? " > " : " < ")")
            builder.bind(key)
            builder.append(" OR (\(sortExpression) = ")
            builder.bind(key)
            builder.append(" AND \(idExpression)\(idAfter)")
            builder.bind(id)
            builder.append(")")
            // NULLs that come last follow every valued row; those that come first precede it.
            if !nullsFirst { builder.append(" OR \(sortExpression) IS NULL") }
        }
        builder.append(")")
    }
}
