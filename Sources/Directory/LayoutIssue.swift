/// A problem in a ``DirectoryLayout``, found by ``DirectoryLayout/validate()`` or
/// ``DirectoryLayout/issues(againstColumns:)``.
public struct LayoutIssue: Sendable, Hashable, CustomStringConvertible {
    /// Where, as a key path relative to the layout: `users.table`, `users.attributes`,
    /// `groups.parent`, `membership.user`, ... The config loader prefixes it with the
    /// layout's own key path.
    public var path: String
    /// The attribute-map key the issue is about, when it is about one key of the map at
    /// `path` (`email` in `users.attributes`). Kept apart from `path` because a key is an
    /// attribute path with dots of its own (`name.givenName`): the config loader appends it
    /// as one component.
    public var key: String?
    /// What is wrong and, where it helps, what to do. Names tables, columns and attribute
    /// paths only: layouts hold no personal data.
    public var message: String

    public init(path: String, key: String? = nil, message: String) {
        self.path = path
        self.key = key
        self.message = message
    }

    public var description: String {
        guard let key else { return "\(path): \(message)" }
        return "\(path).\(key): \(message)"
    }
}
