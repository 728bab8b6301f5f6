import Config
import Directory
import Foundation

/// `source: { feed: {...} }`: exports an HR system uploads (nightly files), each upload a run
/// diffed against the last complete one.
///
/// ```yaml
/// source:
///   feed:
///     control: feed/control.json     # relative to this file
///     directory: /var/lib/scimsync/feeds/hr   # default: <offsets.path>.feeds/<pipeline>
///     maxSizeRatio: 1.1              # a file that grows or shrinks more waits for approval
///     firstRun: hold                 # or apply
///     keepFiles: 30                  # runs whose uploaded files are kept
///     poll: 1s                       # how often the daemon looks for a run to apply
/// ```
public struct FeedSourceConfig: KindSettings, CustomDebugStringConvertible {
    /// Whether the first run (nothing to compare it with) waits for a person.
    public enum FirstRun: String, Sendable, Hashable, CaseIterable {
        case hold
        case apply
    }

    /// The control file's path, resolved against the configuration file's directory.
    public var controlPath: String
    /// The control file as it was when the configuration was loaded.
    public var control: FeedControl
    /// Where the feed store and the runs' files live; nil for the default beside the offset
    /// store (``directory(pipeline:offsetsPath:)``).
    public var directory: String?
    /// The largest factor a file may grow or shrink by between runs and still apply by itself.
    public var maxSizeRatio: Double
    public var firstRun: FirstRun
    /// How many of the newest runs keep their uploaded files.
    public var keepFiles: Int
    /// Seconds between the daemon's looks for a run to apply.
    public var pollSeconds: Int

    public init(
        controlPath: String, control: FeedControl, directory: String? = nil, maxSizeRatio: Double = 1.1,
        firstRun: FirstRun = .hold, keepFiles: Int = 30, pollSeconds: Int = 1
    ) {
        self.controlPath = controlPath
        self.control = control
        self.directory = directory
        self.maxSizeRatio = maxSizeRatio
        self.firstRun = firstRun
        self.keepFiles = keepFiles
        self.pollSeconds = pollSeconds
    }

    /// The directory of the feed's store and files: the configured one, or
    /// `<offsets.path>.feeds/<pipeline>` beside the offset store, which is per pipeline and
    /// lives where the operator already keeps scimsync's state.
    public func directory(pipeline: String, offsetsPath: String) -> String {
        directory ?? "\(offsetsPath).feeds/\(pipeline)"
    }

    /// The safety rule these settings ask for.
    public var safetyRule: SafetyRule {
        SafetyRule(ratio: maxSizeRatio, firstRunNeedsApproval: firstRun == .hold)
    }

    /// The control file maps the records: it is the feed's layout, used where the target
    /// has none (a SCIM provider).
    public var sourceLayout: DirectoryLayout? { control.layout }

    public var description: String { "feed \(controlPath)" }
    public var debugDescription: String {
        "FeedSourceConfig(control: \(controlPath), directory: \(directory ?? "default"), maxSizeRatio: \(maxSizeRatio), "
            + "firstRun: \(firstRun.rawValue), keepFiles: \(keepFiles), poll: \(pollSeconds) s)"
    }

    static let keys = ["control", "directory", "maxSizeRatio", "firstRun", "keepFiles", "poll"]

    /// The `feed` source's block: its keys, defaults and checks. The control file is read and
    /// checked here, so that `scimsync check` and a starting daemon report its mistakes with
    /// the configuration's.
    public static let configKind = ConfigKind(
        key: "feed", role: .source,
        whyNoLayout: "the control file maps the records' fields to SCIM attributes; the target's layout maps those"
    ) { node in
        guard let map = node.mapping(allowed: keys) else { return nil }
        let controlNode = map.required("control", "the path of the feed's JSON control file, e.g. feed/control.json")
        let controlPath = controlNode?.filePath()
        var control: FeedControl?
        if let controlNode, let controlPath {
            do throws(ConfigError) {
                control = try FeedControl.load(path: controlPath)
            } catch {
                for issue in error.issues {
                    controlNode.report("the control file \(controlPath)\(issue.keyPath.isEmpty ? "" : " at \(issue.keyPath)"): \(issue.message)")
                }
            }
        }
        let directory: String?? = map["directory"].map { $0.filePath() } ?? .some(nil)
        let ratio = map["maxSizeRatio"].map(sizeRatio) ?? 1.1
        let firstRun = map["firstRun"].map { $0.choice(FirstRun.self) } ?? .hold
        let keepFiles = map["keepFiles"].map { $0.integer(in: 0...1_000_000) } ?? 30
        let poll = map["poll"].map { $0.seconds(allowOff: false) } ?? .some(1)
        guard let controlPath, let control, let directory, let ratio, let firstRun, let keepFiles, let poll, let poll
        else { return nil }
        return FeedSourceConfig(
            controlPath: controlPath, control: control, directory: directory, maxSizeRatio: ratio, firstRun: firstRun,
            keepFiles: keepFiles, pollSeconds: poll)
    }

    /// A factor above 1 (`1.1`, `1.25`).
    private static func sizeRatio(_ node: ConfigNode) -> Double? {
        guard let text = node.string() else { return nil }
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite, value > 1 else {
            node.report("expected a factor above 1 such as 1.1 (a file may grow or shrink by 10%); found \"\(text)\"")
            return nil
        }
        return value
    }
}
