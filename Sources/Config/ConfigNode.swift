import Directory
import Yams

/// Reads the YAML tree, collecting issues instead of stopping at the first, so a user sees
/// everything wrong with a file at once.
final class IssueCollector {
    private(set) var issues: [ConfigIssue] = []
    let environment: [String: String]

    init(environment: [String: String]) {
        self.environment = environment
    }

    func report(_ path: KeyPath, _ message: String) {
        issues.append(ConfigIssue(keyPath: path.description, message: message))
    }
}

/// A YAML node with its key path.
struct ConfigNode {
    let node: Node
    let path: KeyPath
    let collector: IssueCollector

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
    func mapping(allowed: [String]) -> ConfigMapping? {
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

    func sequence() -> [ConfigNode]? {
        guard case .sequence(let sequence) = node else {
            collector.report(path, "expected a list, found \(kindName)")
            return nil
        }
        return sequence.enumerated().map { index, child in
            ConfigNode(node: child, path: path.appending(index: index), collector: collector)
        }
    }

    /// A scalar with `${VAR}` expanded.
    func string() -> String? {
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

    func nonEmptyString() -> String? {
        guard let text = string() else { return nil }
        guard !text.isEmpty else {
            collector.report(path, "must not be empty")
            return nil
        }
        return text
    }

    func integer(in range: ClosedRange<Int>) -> Int? {
        guard let text = string() else { return nil }
        guard let value = Int(text.trimmingSpaces), range.contains(value) else {
            collector.report(path, "expected a whole number from \(range.lowerBound) to \(range.upperBound), found \"\(text)\"")
            return nil
        }
        return value
    }

    func bool() -> Bool? {
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
    func identifier() -> String? {
        guard let text = nonEmptyString() else { return nil }
        if let problem = DirectoryLayout.identifierProblem(text, allowSchema: false) {
            collector.report(path, problem)
            return nil
        }
        return text
    }

    func choice<T: RawRepresentable & CaseIterable>(_: T.Type) -> T? where T.RawValue == String {
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
struct ConfigMapping {
    let fields: [(String, ConfigNode)]
    let path: KeyPath
    let collector: IssueCollector

    subscript(key: String) -> ConfigNode? {
        fields.first { $0.0 == key }?.1
    }

    func has(_ key: String) -> Bool { self[key] != nil }

    /// The field, or a report that it is missing.
    func required(_ key: String, _ what: String) -> ConfigNode? {
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
