/// A problem in a ``DirectoryLayout``, found by ``DirectoryLayout/validate()`` or
/// ``DirectoryLayout/issues(againstColumns:)``.
public struct LayoutIssue: Sendable, Hashable, CustomStringConvertible {
    /// Where, as a key path relative to the layout: `users.table`, `users.attributes`,
    /// `groups.parent`, `membership.user`, ... The config loader prefixes it with the
    /// layout's own key path.
    public var path: String
    /// What is wrong and, where it helps, what to do. Names tables, columns and attribute
    /// paths only: layouts hold no personal data.
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}
