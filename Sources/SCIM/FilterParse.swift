extension Filter {
    /// Parses a filter (RFC 7644 §3.4.2.2), e.g.
    /// `userType eq "Employee" and emails[type eq "work" and value co "@example.com"]`.
    ///
    /// Keywords and operators are case-insensitive; `not` binds tighter than `and`, which binds
    /// tighter than `or`; parentheses group and leave no trace in the result. Throws with the
    /// offset of the first character that does not fit: unbalanced parentheses or brackets,
    /// a missing value, an unknown operator, an unterminated string, a `[` inside `[...]`,
    /// text after the filter, or empty input.
    public static func parse(_ text: String) throws(FilterParseError) -> Filter {
        var parser = FilterParser(text, subject: .filter)
        return try parser.parseWholeFilter()
    }
}
