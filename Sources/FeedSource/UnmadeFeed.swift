import Connectors
import Directory
import Foundation

/// A feed whose directory `scimsync run` has not made yet, as the commands that only look
/// (`check`, `status`) see it: they report what `run` will make instead of making it, so that
/// checking a configuration leaves no state behind.
public struct UnmadeFeed: SourceConnector {
    public let settings: FeedSourceConfig
    /// Where `run` will keep the feed's store and files.
    public let directory: String
    public let keyPath: String

    /// The feed of `pipeline` when its store does not exist yet; nil when it does (open it with
    /// ``FeedSite``).
    public init?(settings: FeedSourceConfig, pipeline: String, offsetsPath: String, keyPath: String) {
        let directory = settings.directory(pipeline: pipeline, offsetsPath: offsetsPath)
        guard !FileManager.default.fileExists(atPath: FeedSite.storePath(in: directory)) else { return nil }
        self.settings = settings
        self.directory = directory
        self.keyPath = keyPath
    }

    public func openStream(from position: SourcePosition) async throws -> any ChangeSource {
        throw UnmadeFeedError(directory: directory)
    }

    public func openSnapshot() async throws -> any SourceSnapshot {
        throw UnmadeFeedError(directory: directory)
    }

    public func mappingProblem() async throws -> String? { nil }

    public func hasReached(_ committed: SourcePosition, _ snapshot: SourcePosition) -> Bool { false }

    public func lag(committed: SourcePosition, sourceTime: Int64?) -> SourceLag? {
        .unknown("no upload yet: the feed's store \(FeedSite.storePath(in: directory)) does not exist")
    }

    public func probe() async -> [ConnectorCheck] {
        let control = settings.control
        var checks = [
            ConnectorCheck(
                .passed,
                "\(keyPath).control: \(settings.controlPath) reads \(control.files.count) file(s), "
                    + "maps \(control.attributes.count) attribute(s), manages \(control.managedGroups.count) group(s)")
        ]
        guard let ancestor = Self.nearestExisting(directory) else {
            checks.append(ConnectorCheck(.failed, "\(keyPath): no part of \(directory) exists"))
            return checks
        }
        if FileManager.default.isWritableFile(atPath: ancestor) {
            checks.append(
                ConnectorCheck(
                    .passed, "\(keyPath): the feed's directory \(directory) does not exist yet; `scimsync run` makes it"))
        } else {
            checks.append(
                ConnectorCheck(
                    .failed,
                    "\(keyPath): the feed's directory \(directory) does not exist and \(ancestor) is not writable: "
                        + "make it writable for scimsync, or give another with \(keyPath).directory"))
        }
        return checks
    }

    /// The longest leading part of `path` that exists.
    static func nearestExisting(_ path: String) -> String? {
        var candidate = (path as NSString).standardizingPath
        if !candidate.hasPrefix("/") {
            candidate = (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(candidate)
        }
        while !FileManager.default.fileExists(atPath: candidate) {
            let parent = (candidate as NSString).deletingLastPathComponent
            guard parent != candidate, !parent.isEmpty else { return nil }
            candidate = parent
        }
        return candidate
    }
}

/// A command that only looks was asked to read a feed that has no store yet.
public struct UnmadeFeedError: Error, CustomStringConvertible {
    public var directory: String
    public var description: String { "the feed's directory \(directory) does not exist yet; `scimsync run` makes it" }
}
