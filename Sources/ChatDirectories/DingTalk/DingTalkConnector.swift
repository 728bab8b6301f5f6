import Connectors
import Directory
import Foundation
import Logging
import Synchronization

/// A DingTalk organisation's directory as a pipeline's source (`source: { dingtalk: ... }`): a
/// full read (``DingTalkDirectoryRead``) is the snapshot, compared with the target and
/// repaired by a reconciliation pass, at start and every `interval` (``FullReadSchedule``).
/// The position is when the last read began.
public struct DingTalkConnector: SourceConnector {
    public let settings: DingTalkSourceConfig
    /// Where the settings are in the configuration, for messages (`pipelines[0].source.dingtalk`).
    public let keyPath: String
    private let client: DingTalkClient
    private let logger: Logger
    /// Whether this process has read the organisation yet: a stream opened before that starts
    /// with a read.
    private let readOnce = DingTalkReadOnce()

    /// The platform's callback events, when its callbacks are received: the stream applies them
    /// between full reads (``CallbackStream``); nil reads in full every interval only.
    private let callbacks: CallbackWiring?

    public init(_ settings: DingTalkSourceConfig, keyPath: String = "source.dingtalk", callbacks: CallbackWiring? = nil, logger: Logger) {
        self.callbacks = callbacks
        self.settings = settings
        self.keyPath = keyPath
        self.logger = logger
        client = DingTalkClient(
            baseURL: settings.baseURL, appKey: settings.appKey, appSecret: settings.appSecret, keyPath: keyPath,
            logger: logger)
    }

    public func openStream(from position: SourcePosition) async throws -> any ChangeSource {
        guard case .token(let text) = position, text.isEmpty || text.hasPrefix("dingtalk:") else {
            throw DingTalkSourceError.notADingTalkPosition("\(position)")
        }
        let readNow = !readOnce.value.withLock { $0 }
        if let callbacks {
            return CallbackStream(
                position: position, interval: .seconds(settings.intervalSeconds), readNow: readNow,
                objects: DingTalkObjects(client: client, settings: settings), wiring: callbacks, logger: logger)
        }
        return FullReadSchedule(position: position, interval: .seconds(settings.intervalSeconds), readNow: readNow)
    }

    /// Reads the organisation in full.
    public func openSnapshot() async throws -> any SourceSnapshot {
        let started = FullReadPosition.at("dingtalk", secondsSince1970: Int64(Date().timeIntervalSince1970))
        let reader = try await Self.translating {
            try await DingTalkDirectoryRead(
                client: client, records: DingTalkRecords(users: settings.users, groups: settings.groups),
                pageSize: settings.pageSize, logger: logger
            ).read()
        }
        readOnce.value.withLock { $0 = true }
        return ChatDirectorySnapshot(reader: reader, position: started)
    }

    public func mappingProblem() async throws -> String? { nil }

    /// DingTalk cannot say where it is now: the last read is all there is.
    public func lag(committed: SourcePosition, sourceTime: Int64?) -> SourceLag? { nil }

    public func hasReached(_ committed: SourcePosition, _ snapshot: SourcePosition) -> Bool {
        FullReadPosition.hasReached(committed, snapshot)
    }

    /// The app's credentials are accepted and the directory is readable from the root.
    public func probe() async -> [ConnectorCheck] {
        do {
            _ = try await client.call(
                api: DingTalkDirectoryRead.listsubAPI, path: DingTalkDirectoryRead.listsubPath,
                body: ["dept_id": .integer(DingTalkDirectoryRead.root)])
            _ = try await client.call(
                api: DingTalkDirectoryRead.userListAPI, path: DingTalkDirectoryRead.userListPath,
                body: ["dept_id": .integer(DingTalkDirectoryRead.root), "cursor": 0, "size": 1])
            return [
                ConnectorCheck(
                    .passed, "\(keyPath): DingTalk at \(settings.baseURL) accepts app \(settings.appKey); the directory is readable")
            ]
        } catch {
            return [ConnectorCheck(.failed, "\(keyPath): \(error)")]
        }
    }

    /// DingTalk down, overloaded or out of quota comes back (the pipeline retries with
    /// backoff); refused credentials or scope need an operator (the pipeline stops).
    static func translating<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as DingTalkError where error.isTransient {
            throw SourceFailure.unavailable("\(error)")
        }
    }
}

/// Whether a process read its organisation yet.
private final class DingTalkReadOnce: Sendable {
    let value = Mutex(false)
}

/// Why a DingTalk source cannot be streamed.
public enum DingTalkSourceError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The offset store holds a position of another kind of source (the configuration changed).
    case notADingTalkPosition(String)

    public var description: String {
        switch self {
        case .notADingTalkPosition(let position):
            "the offset store's position \(position) is not a DingTalk read: the source changed kind; "
                + "give this pipeline a new name or a new offsets.path to load it afresh"
        }
    }
}
