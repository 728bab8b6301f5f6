/// One thing wrong with a configuration file, located by its key path.
///
/// Rendered as `file: key.path: message`, e.g.
/// `scimsync.yaml: pipelines[0].source.layout.users.attributes: no mapping for "id"`.
/// Messages never contain the values of secrets: a wrong password is reported by its key.
public struct ConfigIssue: Sendable, Hashable, CustomStringConvertible {
    /// The key path inside the file, e.g. `pipelines[0].source.mysql.port`; empty for the whole file.
    public var keyPath: String
    public var message: String

    public init(keyPath: String, message: String) {
        self.keyPath = keyPath
        self.message = message
    }

    public var description: String {
        keyPath.isEmpty ? message : "\(keyPath): \(message)"
    }
}

/// Why a configuration file could not be loaded: every issue found, not just the first, so
/// that one edit-and-retry fixes them all.
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file as the user named it.
    public var file: String
    public var issues: [ConfigIssue]

    public init(file: String, issues: [ConfigIssue]) {
        self.file = file
        self.issues = issues
    }

    /// One line per issue, each starting with the file name.
    public var description: String {
        issues.map { "\(file): \($0)" }.joined(separator: "\n")
    }
}
