import Connectors
import Directory
import Logging
import Reconcile

/// A DingTalk organisation as a pipeline's target (`target: { dingtalk: ... }`): writes through
/// ``DingTalkTarget``, DingTalk's ids of scimsync's objects in a ``ChatTargetIDMap``.
public struct DingTalkTargetConnector: TargetConnector {
    public let settings: DingTalkTargetConfig
    /// Where the settings are in the configuration (`pipelines[0].target.dingtalk`), for messages.
    public let keyPath: String
    private let adopt: Bool
    /// Nil for commands that only look (`scimsync check`): then only ``probe()`` may be used.
    private let ids: (any ChatTargetIDMap)?
    private let client: DingTalkClient
    private let logger: Logger

    /// - Parameters:
    ///   - keyPath: where the settings are in the configuration, for messages.
    ///   - adopt: the pipeline's `adopt`.
    ///   - ids: where DingTalk's ids are kept; nil for commands that only look (`check`).
    public init(
        _ settings: DingTalkTargetConfig, keyPath: String = "target.dingtalk", adopt: Bool, ids: (any ChatTargetIDMap)?,
        logger: Logger
    ) {
        self.settings = settings
        self.keyPath = keyPath
        self.adopt = adopt
        self.ids = ids
        self.logger = logger
        client = DingTalkClient(
            baseURL: settings.baseURL, appKey: settings.appKey, appSecret: settings.appSecret, keyPath: keyPath,
            logger: logger)
    }

    private func target() throws -> DingTalkTarget {
        guard let ids else { throw DingTalkTargetError.noIDMap }
        return DingTalkTarget(client: client, ids: ids, settings: settings, adopt: adopt, logger: logger)
    }

    public func openTarget() throws -> any Target {
        ChatStreamTarget(try target())
    }

    /// scimsync has no DingTalk ids yet. What the organisation already holds is met by the
    /// creates (60102, 60008, `adopt`), not compared.
    public func isEmpty() async throws -> Bool {
        guard let ids else { throw DingTalkTargetError.noIDMap }
        return try ids.count(.user) == 0 && ids.count(.group) == 0
    }

    public func openReconcileReader() async throws -> any ReconcileTargetReader {
        guard let ids else { throw DingTalkTargetError.noIDMap }
        return try await DingTalkReconcileReader.read(client: client, ids: ids, settings: settings, logger: logger)
    }

    /// Chunk by chunk (``ChatTargetLoad``): DingTalk has no transactions.
    public func load(
        _ phases: [LoadPhase], created: @escaping @Sendable ([ResourceOp]) throws -> Void
    ) async throws -> ApplyOutcome {
        try await ChatTargetLoad.load(phases, into: ChatStreamTarget(try target()), created: created)
    }

    /// The app's credentials are accepted, the organisation is readable from the root, and the
    /// configured departments exist. Whether the app may write (通讯录管理 permission) shows at
    /// the first write: DingTalk has no call that asks without writing.
    public func probe() async -> [ConnectorCheck] {
        do {
            _ = try await client.call(
                api: DingTalkDirectoryRead.listsubAPI, path: DingTalkDirectoryRead.listsubPath,
                body: ["dept_id": .integer(DingTalkDirectoryRead.root)])
            var checks = [
                ConnectorCheck(
                    .passed, "\(keyPath): DingTalk at \(settings.baseURL) accepts app \(settings.appKey); the organisation is readable")
            ]
            let departments: [(key: String, id: Int64?)] = [
                ("defaultDepartment", settings.defaultDepartment), ("deactivatedDepartment", settings.deactivatedDepartment),
            ]
            for (key, department) in departments {
                guard let department, department != DingTalkTargetConfig.root else { continue }
                do {
                    _ = try await client.call(
                        api: DingTalkTarget.departmentGet.api, path: DingTalkTarget.departmentGet.path,
                        body: ["dept_id": .integer(department)])
                    checks.append(ConnectorCheck(.passed, "\(keyPath).\(key): department \(department) exists"))
                } catch where (error as? DingTalkError)?.code == DingTalkObjects.departmentNotFound {
                    checks.append(
                        ConnectorCheck(.failed, "\(keyPath).\(key): DingTalk has no department \(department); give an existing dept_id"))
                }
            }
            return checks
        } catch {
            return [ConnectorCheck(.failed, "\(keyPath): \(error)")]
        }
    }
}

/// Why a DingTalk target cannot be used as asked.
public enum DingTalkTargetError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A connector made for `scimsync check` was asked to write.
    case noIDMap
    /// `onDelete: deactivate` without a department to put deactivated users in.
    case deactivateNeedsDepartment(keyPath: String)

    public var description: String {
        switch self {
        case .noIDMap:
            "this DingTalk target has no offset store for its ids (made for checking only)"
        case .deactivateNeedsDepartment(let keyPath):
            "\(keyPath).deactivatedDepartment: onDelete: deactivate needs the dept_id of a department deactivated users "
                + "are moved to (DingTalk has no disabled state); create one in DingTalk and give its id, or use onDelete: delete"
        }
    }
}
