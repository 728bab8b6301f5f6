import Directory
import SCIM
import Yams

/// Reads the YAML tree, collecting issues instead of stopping at the first, so a user sees
/// everything wrong with a file at once.
final class IssueCollector {
    private(set) var issues: [ConfigIssue] = []
    let environment: [String: String]
    /// The configuration file's directory: relative paths in the file resolve against it.
    let baseDirectory: String

    init(environment: [String: String], baseDirectory: String = ".") {
        self.environment = environment
        self.baseDirectory = baseDirectory
    }

    func report(_ path: KeyPath, _ message: String) {
        issues.append(ConfigIssue(keyPath: path.description, message: message))
    }
}

/// A YAML node with its key path. Reading it reports what is wrong (with the key path) and
/// returns nil, so that one pass shows every mistake in a file; a kind decoding its own block
/// reads it the same way.
public struct ConfigNode {
    let node: Node
    /// Where the node is in the file.
    public let path: KeyPath
    let collector: IssueCollector

    init(node: Node, path: KeyPath, collector: IssueCollector) {
        self.node = node
        self.path = path
        self.collector = collector
    }

    /// Reports a problem of this node: what was found and what to write instead.
    public func report(_ message: String) {
        collector.report(path, message)
    }

    private var kindName: String {
        switch node {
        case .scalar: "a value"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    /// The node as a mapping whose keys must be among `allowed`; unknown keys are reported
    /// with the closest allowed key and the full list.
    public func mapping(allowed: [String]) -> ConfigMapping? {
        guard case .mapping(let mapping) = node else {
            collector.report(path, "expected a mapping with keys \(allowed.joined(separator: ", ")), found \(kindName)")
            return nil
        }
        var fields: [(String, ConfigNode)] = []
        for (keyNode, valueNode) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                collector.report(path, "keys must be plain names")
                continue
            }
            let key = scalar.string
            let child = ConfigNode(node: valueNode, path: path.appending(key), collector: collector)
            if fields.contains(where: { $0.0 == key }) {
                collector.report(path, "\"\(key)\" is given twice")
                continue
            }
            if !allowed.isEmpty, !allowed.contains(key) {
                var message = "unknown key \"\(key)\""
                if let guess = didYouMean(key, among: allowed) { message += " (did you mean \"\(guess)\"?)" }
                message += "; allowed: \(allowed.joined(separator: ", "))"
                collector.report(path, message)
                continue
            }
            fields.append((key, child))
        }
        return ConfigMapping(fields: fields, path: path, collector: collector)
    }

    /// The node as a mapping with free-form keys (attribute maps), in file order.
    func freeMapping() -> [(String, ConfigNode)]? {
        mapping(allowed: []).map(\.fields)
    }

    public func sequence() -> [ConfigNode]? {
        guard case .sequence(let sequence) = node else {
            collector.report(path, "expected a list, found \(kindName)")
            return nil
        }
        return sequence.enumerated().map { index, child in
            ConfigNode(node: child, path: path.appending(index: index), collector: collector)
        }
    }

    /// The scalar as the file writes it, `${VAR}` not expanded; nil for a mapping or a list.
    /// For values whose meaning must come from the file itself, never from the environment.
    public var literal: String? {
        guard case .scalar(let scalar) = node else { return nil }
        return scalar.string
    }

    /// A scalar with `${VAR}` expanded.
    public func string() -> String? {
        guard case .scalar(let scalar) = node else {
            collector.report(path, "expected a value, found \(kindName)")
            return nil
        }
        do {
            return try EnvironmentExpansion.expand(scalar.string, environment: collector.environment)
        } catch {
            switch error {
            case .unset(let name):
                collector.report(path, "environment variable \(name) is not set (export it, or write ${\(name):-default})")
            case .unterminated:
                collector.report(path, "\"${\" without a closing \"}\" (write $$ for a literal $)")
            case .badName(let name):
                collector.report(path, "\"${\(name)}\" is not a variable name (letters, digits and _; write $$ for a literal $)")
            }
            return nil
        }
    }

    /// A file or directory path; a relative one resolves against the configuration file's
    /// directory, so that a configuration means the same whatever directory it is run from.
    public func filePath() -> String? {
        guard let path = nonEmptyString() else { return nil }
        let base = collector.baseDirectory
        return path.hasPrefix("/") || base == "." ? path : base + "/" + path
    }

    public func nonEmptyString() -> String? {
        guard let text = string() else { return nil }
        guard !text.isEmpty else {
            collector.report(path, "must not be empty")
            return nil
        }
        return text
    }

    public func integer(in range: ClosedRange<Int>) -> Int? {
        guard let text = string() else { return nil }
        guard let value = Int(text.trimmingSpaces), range.contains(value) else {
            collector.report(path, "expected a whole number from \(range.lowerBound) to \(range.upperBound), found \"\(text)\"")
            return nil
        }
        return value
    }

    public func bool() -> Bool? {
        guard let text = string() else { return nil }
        switch text.trimmingSpaces.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            collector.report(path, "expected true or false, found \"\(text)\"")
            return nil
        }
    }

    /// A database or schema name: quoted when used, and validated here so that nothing that
    /// looks like SQL gets that far. (Layout tables and columns are checked by the layout.)
    public func identifier() -> String? {
        guard let text = nonEmptyString() else { return nil }
        if let problem = DirectoryLayout.identifierProblem(text, allowSchema: false) {
            collector.report(path, problem)
            return nil
        }
        return text
    }

    /// One of `T`'s raw values; anything else is reported with the allowed values.
    public func choice<T: RawRepresentable & CaseIterable>(_: T.Type) -> T? where T.RawValue == String {
        guard let text = string() else { return nil }
        if let value = T(rawValue: text) { return value }
        let allowed = T.allCases.map(\.rawValue)
        var message = "\"\(text)\" is not allowed"
        if let guess = didYouMean(text, among: allowed) { message += " (did you mean \"\(guess)\"?)" }
        collector.report(path, message + "; allowed: \(allowed.joined(separator: ", "))")
        return nil
    }
}

/// A mapping's fields after unknown keys were reported.
public struct ConfigMapping {
    let fields: [(String, ConfigNode)]
    /// Where the mapping is in the file.
    public let path: KeyPath
    let collector: IssueCollector

    /// The keys given, in file order.
    public var keys: [String] { fields.map(\.0) }

    /// Reports a problem of the mapping as a whole.
    public func report(_ message: String) {
        collector.report(path, message)
    }

    public subscript(key: String) -> ConfigNode? {
        fields.first { $0.0 == key }?.1
    }

    public func has(_ key: String) -> Bool { self[key] != nil }

    /// The field, or a report that it is missing.
    public func required(_ key: String, _ what: String) -> ConfigNode? {
        if let node = self[key] { return node }
        collector.report(path, "missing \"\(key)\" (\(what))")
        return nil
    }
}

extension String {
    var trimmingSpaces: Substring {
        let start = firstIndex { $0 != " " && $0 != "\t" } ?? endIndex
        let end = lastIndex { $0 != " " && $0 != "\t" }.map { index(after: $0) } ?? start
        return self[start..<max(start, end)]
    }
}

extension ConfigNode {
    /// An `http://` or `https://` URL with a host.
    ///
    /// A URL holding a user name or password, a query string or a fragment is refused: the
    /// first puts a secret where `check` and the logs print URLs, the others would be mangled
    /// into every request path. The message never repeats a secret.
    public func httpURL() -> String? {
        guard let url = nonEmptyString() else { return nil }
        let authority = Self.authority(of: url)
        if authority.contains("@") {
            report("must not hold a user name or password (user:secret@): give the secret as token: \"${VARIABLE}\" instead")
            return nil
        }
        guard ConfigDecoder.isHTTPURL(url) else {
            report("expected an http:// or https:// URL with a host; found \"\(LogText.safe(url, limit: 80))\"")
            return nil
        }
        if url.contains("?") || url.contains("#") {
            report("must not have a query string or fragment (\"?\" or \"#\"): give the base URL only, e.g. https://idp.example.com/scim/v2")
            return nil
        }
        return url
    }

    /// What comes between `scheme://` and the path.
    private static func authority(of url: String) -> Substring {
        let rest = url.range(of: "://").map { url[$0.upperBound...] } ?? url[...]
        return rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
    }

    /// A duration such as `90s`, `30m`, `6h`, `1d` or `1h30m`, in seconds; with `allowOff`,
    /// `off` (or `never`, `false`) gives `.some(nil)`.
    public func seconds(allowOff: Bool) -> Int?? {
        guard let text = string() else { return nil }
        if allowOff, ["off", "never", "false"].contains(text.lowercased()) { return .some(nil) }
        if let seconds = DurationText.seconds(text), seconds > 0 { return .some(seconds) }
        report("expected a duration such as 90s, 30m or 1h\(allowOff ? ", or off" : ""); found \"\(text)\"")
        return nil
    }
}
