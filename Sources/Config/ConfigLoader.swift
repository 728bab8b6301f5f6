import Directory
import Foundation
import SCIM
import Yams

/// Loads `scimsync.yaml`: YAML in, validated values out. The only I/O is reading the file;
/// `parse` is pure so tests feed it text and an environment.
public enum ConfigLoader {
    /// Reads and validates the file at `path`, expanding `${VAR}` from `environment`.
    /// - Parameter kinds: the kinds that decode their own blocks (the registries' entries);
    ///   without them, only SQL sources and targets are known.
    public static func load(
        path: String, kinds: [ConfigKind] = [], environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigError) -> ScimsyncConfig {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(file: path, issues: [ConfigIssue(keyPath: "", message: "cannot read the file (\(Self.reason(path: path)))")])
        }
        let directory = (path as NSString).deletingLastPathComponent
        return try parse(
            text, file: path, baseDirectory: directory.isEmpty ? "." : directory, kinds: kinds, environment: environment)
    }

    /// Validates configuration text. `file` names it in messages; relative paths in it
    /// (`sqlite.path`, `offsets.path`) resolve against `baseDirectory`.
    public static func parse(
        _ text: String, file: String, baseDirectory: String = ".", kinds: [ConfigKind] = [],
        environment: [String: String] = [:]
    ) throws(ConfigError) -> ScimsyncConfig {
        let root: Node?
        do {
            // Every scalar is read as the text the file writes (`ConfigNode`), never by its
            // resolved tag, so the basic resolver does: the default one compiles seven regular
            // expressions at first use, about a millisecond of every command's start.
            root = try Yams.compose(yaml: text, .basic)
        } catch let error as YamlError {
            throw ConfigError(file: file, issues: [ConfigIssue(keyPath: "", message: "not valid YAML: \(Self.describe(error))")])
        } catch {
            throw ConfigError(file: file, issues: [ConfigIssue(keyPath: "", message: "not valid YAML: \(error)")])
        }
        guard let root else {
            throw ConfigError(file: file, issues: [ConfigIssue(keyPath: "", message: "the file is empty; see the README for an example")])
        }
        let collector = IssueCollector(environment: environment, baseDirectory: baseDirectory)
        let decoder = ConfigDecoder(collector: collector, baseDirectory: baseDirectory, kinds: kinds)
        let config = decoder.decode(ConfigNode(node: root, path: .root, collector: collector))
        guard var config, collector.issues.isEmpty else {
            throw ConfigError(file: file, issues: collector.issues)
        }
        config.warnings = SecretsInFile.warnings(root, file: file) + SharedTables.warnings(config, file: file)
        return config
    }

    private static func describe(_ error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let where_ = "line \(mark.line), column \(mark.column)"
            if let context { return "\(problem) \(context.text) (\(where_))" }
            return "\(problem) (\(where_))"
        case .reader(let problem, let offset, _, _):
            return offset.map { "\(problem) at byte \($0)" } ?? problem
        default:
            return "\(error)"
        }
    }

    /// Foundation's messages for file errors vary by platform; these say the usual causes plainly.
    private static func reason(path: String) -> String {
        var isDirectory: ObjCBool = false
        let files = FileManager.default
        if !files.fileExists(atPath: path, isDirectory: &isDirectory) { return "no such file" }
        if isDirectory.boolValue { return "it is a directory" }
        if !files.isReadableFile(atPath: path) { return "permission denied" }
        return "not UTF-8 text"
    }
}
