import Connectors
import Directory
import Foundation
import Logging
import Synchronization

/// A Feishu tenant's directory as a pipeline's source (`source: { feishu: ... }`): a full read
/// (``FeishuDirectoryRead``) is the snapshot, compared with the target and repaired by a
/// reconciliation pass, at start and every `interval` (``FullReadSchedule``). The position is
/// when the last read began.
public struct FeishuConnector: SourceConnector {
    public let settings: FeishuSourceConfig
    /// Where the settings are in the configuration, for messages (`pipelines[0].source.feishu`).
    public let keyPath: String
    private let client: FeishuClient
    private let logger: Logger
    /// Whether this process has read the tenant yet: a stream opened before that starts with
    /// a read.
    private let readOnce = ReadOnce()

    /// The platform's callback events, when its callbacks are received: the stream applies them
    /// between full reads (``CallbackStream``); nil reads in full every interval only.
    private let callbacks: CallbackWiring?

    public init(_ settings: FeishuSourceConfig, keyPath: String = "source.feishu", callbacks: CallbackWiring? = nil, logger: Logger) {
        self.callbacks = callbacks
        self.settings = settings
        self.keyPath = keyPath
        self.logger = logger
        client = FeishuClient(
            baseURL: settings.baseURL, appID: settings.appID, appSecret: settings.appSecret, keyPath: keyPath, logger: logger)
    }

    public func openStream(from position: SourcePosition) async throws -> any ChangeSource {
        guard case .token(let text) = position, text.isEmpty || text.hasPrefix("feishu:") else {
            throw FeishuSourceError.notAFeishuPosition("\(position)")
        }
        let readNow = !readOnce.value.withLock { $0 }
        if let callbacks {
            return CallbackStream(
                position: position, interval: .seconds(settings.intervalSeconds), readNow: readNow,
                objects: FeishuObjects(client: client, settings: settings), wiring: callbacks, logger: logger)
        }
        return FullReadSchedule(position: position, interval: .seconds(settings.intervalSeconds), readNow: readNow)
    }

    /// Reads the tenant in full.
    public func openSnapshot() async throws -> any SourceSnapshot {
        let started = FullReadPosition.at("feishu", secondsSince1970: Int64(Date().timeIntervalSince1970))
        let reader = try await Self.translating {
            try await FeishuDirectoryRead(
                client: client, records: FeishuRecords(users: settings.users, groups: settings.groups),
                pageSize: settings.pageSize, logger: logger
            ).read()
        }
        readOnce.value.withLock { $0 = true }
        return ChatDirectorySnapshot(reader: reader, position: started)
    }

    public func mappingProblem() async throws -> String? { nil }

    /// Feishu cannot say where it is now: the last read is all there is.
    public func lag(committed: SourcePosition, sourceTime: Int64?) -> SourceLag? { nil }

    public func hasReached(_ committed: SourcePosition, _ snapshot: SourcePosition) -> Bool {
        FullReadPosition.hasReached(committed, snapshot)
    }

    /// The app's credentials are accepted and the directory is readable from the root.
    public func probe() async -> [ConnectorCheck] {
        do {
            _ = try await client.get(
                api: FeishuDirectoryRead.childrenAPI, path: "/open-apis/contact/v3/departments/0/children",
                query: [("department_id_type", "department_id"), ("user_id_type", "user_id"), ("page_size", "1")])
            _ = try await client.get(
                api: FeishuDirectoryRead.usersAPI, path: "/open-apis/contact/v3/users/find_by_department",
                query: [
                    ("department_id", "0"), ("department_id_type", "department_id"), ("user_id_type", "user_id"),
                    ("page_size", "1"),
                ])
            return [ConnectorCheck(.passed, "\(keyPath): Feishu at \(settings.baseURL) accepts app \(settings.appID); the directory is readable")]
        } catch {
            return [ConnectorCheck(.failed, "\(keyPath): \(error)")]
        }
    }

    /// Feishu down, overloaded or out of quota comes back (the pipeline retries with backoff);
    /// refused credentials or scope need an operator (the pipeline stops).
    static func translating<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as FeishuError where error.isTransient {
            throw SourceFailure.unavailable("\(error)")
        }
    }
}

/// Whether a process read its tenant yet.
private final class ReadOnce: Sendable {
    let value = Mutex(false)
}

/// Why a Feishu source cannot be streamed.
public enum FeishuSourceError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The offset store holds a position of another kind of source (the configuration changed).
    case notAFeishuPosition(String)

    public var description: String {
        switch self {
        case .notAFeishuPosition(let position):
            "the offset store's position \(position) is not a Feishu read: the source changed kind; "
                + "give this pipeline a new name or a new offsets.path to load it afresh"
        }
    }
}
