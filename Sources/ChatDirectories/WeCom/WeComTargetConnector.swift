import Connectors
import Directory
import Logging
import Reconcile

/// A WeCom corp as a pipeline's target (`target: { wecom: ... }`): writes through
/// ``WeComTarget`` with the contact-sync secret, reads with the app's, WeCom's ids of
/// scimsync's objects in a ``ChatTargetIDMap``.
public struct WeComTargetConnector: TargetConnector {
    public let settings: WeComTargetConfig
    /// Where the settings are in the configuration (`pipelines[0].target.wecom`), for messages.
    public let keyPath: String
    private let adopt: Bool
    /// Nil for commands that only look (`scimsync check`): then only ``probe()`` may be used.
    private let ids: (any ChatTargetIDMap)?
    private let client: WeComClient
    private let logger: Logger

    /// - Parameters:
    ///   - keyPath: where the settings are in the configuration, for messages.
    ///   - adopt: the pipeline's `adopt`.
    ///   - ids: where WeCom's ids are kept; nil for commands that only look (`check`).
    public init(
        _ settings: WeComTargetConfig, keyPath: String = "target.wecom", adopt: Bool, ids: (any ChatTargetIDMap)?, logger: Logger
    ) {
        self.settings = settings
        self.keyPath = keyPath
        self.adopt = adopt
        self.ids = ids
        self.logger = logger
        client = WeComClient(
            baseURL: settings.baseURL, corpID: settings.corpID, secrets: settings.secrets, keyPath: keyPath, logger: logger)
    }

    private func target() throws -> WeComTarget {
        guard let ids else { throw WeComTargetError.noIDMap }
        return WeComTarget(client: client, ids: ids, settings: settings, adopt: adopt, logger: logger)
    }

    public func openTarget() throws -> any Target {
        ChatStreamTarget(try target())
    }

    /// scimsync has no WeCom ids yet. What the corp already holds is met by the creates
    /// (60102, 60008, `adopt`), not compared.
    public func isEmpty() async throws -> Bool {
        guard let ids else { throw WeComTargetError.noIDMap }
        return try ids.count(.user) == 0 && ids.count(.group) == 0
    }

    public func openReconcileReader() async throws -> any ReconcileTargetReader {
        guard let ids else { throw WeComTargetError.noIDMap }
        return try await WeComReconcileReader.read(client: client, ids: ids, settings: settings, logger: logger)
    }

    /// Chunk by chunk (``ChatTargetLoad``): WeCom has no transactions.
    public func load(
        _ phases: [LoadPhase], created: @escaping @Sendable ([ResourceOp]) throws -> Void
    ) async throws -> ApplyOutcome {
        try await ChatTargetLoad.load(phases, into: ChatStreamTarget(try target()), created: created)
    }

    /// The app's secret reads the root department, the contact-sync secret is that secret (it
    /// alone lists member ids, `user/list_id`), and the default department exists. Whether the
    /// contact-sync secret may write (通讯录同步's "API编辑通讯录" right) shows at the first
    /// write: WeCom has no call that asks without writing.
    public func probe() async -> [ConnectorCheck] {
        var checks: [ConnectorCheck] = []
        do {
            _ = try await client.call(
                api: WeComDirectoryRead.departmentAPI, secret: .app, query: [("id", WeComDirectoryRead.root)])
            checks.append(
                ConnectorCheck(
                    .passed,
                    "\(keyPath).\(WeComSecret.app.key): WeCom at \(settings.baseURL) accepts it for corp \(settings.corpID); "
                        + "the corp is readable from the root (the target reads with this secret)"))
            if settings.defaultDepartment != WeComTargetConfig.root {
                do {
                    _ = try await client.call(
                        api: WeComDirectoryRead.departmentAPI, secret: .app, query: [("id", String(settings.defaultDepartment))])
                    checks.append(
                        ConnectorCheck(.passed, "\(keyPath).defaultDepartment: department \(settings.defaultDepartment) exists"))
                } catch WeComError.refused(_, _, WeComDirectoryRead.departmentNotFound, _) {
                    checks.append(
                        ConnectorCheck(
                            .failed,
                            "\(keyPath).defaultDepartment: WeCom has no department \(settings.defaultDepartment); give an existing id"
                        ))
                }
            }
        } catch {
            checks.append(ConnectorCheck(.failed, "\(keyPath): \(error)"))
        }
        do {
            _ = try await client.call(.POST, api: "user/list_id", secret: .contactSync, body: ["limit": 1])
            checks.append(
                ConnectorCheck(
                    .passed, "\(keyPath).\(WeComSecret.contactSync.key): accepted as the contact-sync Secret (every write uses it)"))
        } catch {
            checks.append(ConnectorCheck(.failed, "\(keyPath).\(WeComSecret.contactSync.key): \(error)"))
        }
        return checks
    }
}

/// Why a WeCom target cannot be used as asked.
public enum WeComTargetError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A connector made for `scimsync check` was asked to write.
    case noIDMap

    public var description: String {
        switch self {
        case .noIDMap: "this WeCom target has no offset store for its ids (made for checking only)"
        }
    }
}
