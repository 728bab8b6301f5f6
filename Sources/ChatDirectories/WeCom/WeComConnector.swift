import Connectors
import Directory
import Foundation
import Logging
import SCIM
import Synchronization

/// A WeCom corp's directory as a pipeline's source (`source: { wecom: ... }`): a full read
/// (``WeComDirectoryRead``) with the self-built app's secret is the snapshot, compared with
/// the target and repaired by a reconciliation pass, at start and every `interval`
/// (``FullReadSchedule``). The position is when the last read began.
public struct WeComConnector: SourceConnector {
    public let settings: WeComSourceConfig
    /// Where the settings are in the configuration, for messages (`pipelines[0].source.wecom`).
    public let keyPath: String
    private let client: WeComClient
    private let logger: Logger
    /// Whether this process has read the corp yet: a stream opened before that starts with a
    /// read.
    private let readOnce = WeComReadOnce()

    /// The platform's callback events, when its callbacks are received: the stream applies them
    /// between full reads (``CallbackStream``); nil reads in full every interval only.
    private let callbacks: CallbackWiring?

    public init(_ settings: WeComSourceConfig, keyPath: String = "source.wecom", callbacks: CallbackWiring? = nil, logger: Logger) {
        self.callbacks = callbacks
        self.settings = settings
        self.keyPath = keyPath
        self.logger = logger
        client = WeComClient(
            baseURL: settings.baseURL, corpID: settings.corpID, secrets: settings.secrets, keyPath: keyPath, logger: logger)
    }

    public func openStream(from position: SourcePosition) async throws -> any ChangeSource {
        guard case .token(let text) = position, text.isEmpty || text.hasPrefix("wecom:") else {
            throw WeComSourceError.notAWeComPosition("\(position)")
        }
        let readNow = !readOnce.value.withLock { $0 }
        if let callbacks {
            return CallbackStream(
                position: position, interval: .seconds(settings.intervalSeconds), readNow: readNow,
                objects: WeComObjects(client: client, settings: settings), wiring: callbacks, logger: logger)
        }
        return FullReadSchedule(position: position, interval: .seconds(settings.intervalSeconds), readNow: readNow)
    }

    /// Reads the corp in full.
    public func openSnapshot() async throws -> any SourceSnapshot {
        let started = FullReadPosition.at("wecom", secondsSince1970: Int64(Date().timeIntervalSince1970))
        let reader = try await Self.translating {
            try await WeComDirectoryRead(
                client: client, records: WeComRecords(users: settings.users, groups: settings.groups), logger: logger
            ).read()
        }
        readOnce.value.withLock { $0 = true }
        return ChatDirectorySnapshot(reader: reader, position: started)
    }

    public func mappingProblem() async throws -> String? { nil }

    /// WeCom cannot say where it is now: the last read is all there is.
    public func lag(committed: SourcePosition, sourceTime: Int64?) -> SourceLag? { nil }

    public func hasReached(_ committed: SourcePosition, _ snapshot: SourcePosition) -> Bool {
        FullReadPosition.hasReached(committed, snapshot)
    }

    /// The app's secret is accepted and reads the root department and its members (so the
    /// app's visible range holds the whole corp); whether the map names fields WeCom withholds
    /// from this app; and the contact-sync secret, when given, which no read uses.
    public func probe() async -> [ConnectorCheck] {
        var checks: [ConnectorCheck] = []
        do {
            _ = try await client.call(api: WeComDirectoryRead.departmentAPI, secret: .app, query: [("id", WeComDirectoryRead.root)])
            let root = try await client.call(
                api: WeComDirectoryRead.usersAPI, secret: .app, query: [("department_id", WeComDirectoryRead.root)])
            checks.append(ConnectorCheck(
                .passed,
                "\(keyPath).\(WeComSecret.app.key): WeCom at \(settings.baseURL) accepts it for corp \(settings.corpID); "
                    + "departments and members are readable from the root (every read uses this secret)"))
            let members = root["userlist"]?.arrayValue?.compactMap(\.objectValue) ?? []
            let mapped = Set(settings.users.entries.map(\.column)).intersection(WeComFields.sensitiveUser)
            let withheld = mapped.filter { field in members.allSatisfy { $0[field] == nil } }
            if !members.isEmpty, !withheld.isEmpty {
                checks.append(ConnectorCheck(
                    .warning,
                    "\(keyPath).attributes: WeCom gives this app no \(withheld.sorted().joined(separator: ", ")) (apps made "
                        + "after 2022-06-20 are not given them): the SCIM attributes mapped to them will be empty"))
            }
        } catch {
            checks.append(ConnectorCheck(.failed, "\(keyPath): \(error)"))
        }
        checks.append(await contactSecretCheck())
        return checks
    }

    /// The contact-sync secret lists member ids (`user/list_id`, which it alone may call):
    /// proof that it is that secret. Only writes need it, so a problem is a warning here.
    private func contactSecretCheck() async -> ConnectorCheck {
        let key = "\(keyPath).\(WeComSecret.contactSync.key)"
        guard client.has(.contactSync) else {
            return ConnectorCheck(
                .passed,
                "\(key): not given; reads need only \(WeComSecret.app.key), writes to WeCom (a wecom target) need the contact-sync "
                    + "Secret (通讯录同步 Secret)")
        }
        do {
            _ = try await client.call(.POST, api: "user/list_id", secret: .contactSync, body: ["limit": 1])
            return ConnectorCheck(
                .passed,
                "\(key): accepted as the contact-sync Secret (it lists member ids); only writes need it, reads use "
                    + WeComSecret.app.key)
        } catch {
            return ConnectorCheck(.warning, "\(key): \(error) (only writes need it; reads use \(WeComSecret.app.key))")
        }
    }

    /// WeCom down, busy or out of quota comes back (the pipeline retries with backoff);
    /// refused credentials or rights need an operator (the pipeline stops).
    static func translating<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as WeComError where error.isTransient {
            throw SourceFailure.unavailable("\(error)")
        }
    }
}

/// Whether a process read its corp yet.
private final class WeComReadOnce: Sendable {
    let value = Mutex(false)
}

/// Why a WeCom source cannot be streamed.
public enum WeComSourceError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The offset store holds a position of another kind of source (the configuration changed).
    case notAWeComPosition(String)

    public var description: String {
        switch self {
        case .notAWeComPosition(let position):
            "the offset store's position \(position) is not a WeCom read: the source changed kind; "
                + "give this pipeline a new name or a new offsets.path to load it afresh"
        }
    }
}
