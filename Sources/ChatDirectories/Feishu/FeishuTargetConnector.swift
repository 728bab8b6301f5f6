import Connectors
import Directory
import Logging
import Reconcile

/// A Feishu tenant as a pipeline's target (`target: { feishu: ... }`): writes through
/// ``FeishuTarget``, the ids of scimsync's objects in a ``ChatTargetIDMap``.
public struct FeishuTargetConnector: ChatTargetConnector {
    public let settings: FeishuTargetConfig
    /// Where the settings are in the configuration (`pipelines[0].target.feishu`), for messages.
    public let keyPath: String
    private let adopt: Bool
    /// Nil for commands that only look (`scimsync check`): then only ``probe()`` may be used.
    let idMap: (any ChatTargetIDMap)?
    private let client: FeishuClient
    private let logger: Logger

    /// - Parameters:
    ///   - keyPath: where the settings are in the configuration, for messages.
    ///   - adopt: the pipeline's `adopt`.
    ///   - ids: where the ids of scimsync's objects are kept; nil for commands that only look
    ///     (`check`).
    public init(
        _ settings: FeishuTargetConfig, keyPath: String = "target.feishu", adopt: Bool, ids: (any ChatTargetIDMap)?, logger: Logger
    ) {
        self.settings = settings
        self.keyPath = keyPath
        self.adopt = adopt
        idMap = ids
        self.logger = logger
        client = FeishuClient(
            baseURL: settings.baseURL, appID: settings.appID, appSecret: settings.appSecret, keyPath: keyPath, logger: logger)
    }

    static let platform = "Feishu"

    func writer(_ ids: any ChatTargetIDMap) -> FeishuTarget {
        FeishuTarget(client: client, ids: ids, settings: settings, adopt: adopt, logger: logger)
    }

    /// Feishu read back for reconciliation: the tenant read as the Feishu source reads it
    /// (``FeishuDirectoryRead``: the department tree, each department's users page by page),
    /// through the target's attribute map and `active` as not `status.is_frozen`, then keyed by
    /// the source ids (``ChatDirectoryReader/keyedBySourceIDs(_:derivesActive:inactiveIn:)``).
    func readBack(_ ids: any ChatTargetIDMap) async throws -> ChatDirectoryReader {
        let layout = settings.targetLayout
        let records = FeishuRecords(
            users: layout?.users.attributes ?? settings.users, groups: layout?.groups?.attributes ?? settings.groups)
        let read = try await FeishuDirectoryRead(client: client, records: records, pageSize: 50, logger: logger).read()
        return try read.keyedBySourceIDs(ids)
    }

    public func openTarget() throws -> any Target { try openChatTarget() }
    public func isEmpty() async throws -> Bool { try await chatTargetIsEmpty() }
    public func openReconcileReader() async throws -> any ReconcileTargetReader { try await openChatReadBack() }

    /// Chunk by chunk (``ChatTargetLoad``): Feishu has no transactions.
    public func load(
        _ phases: [LoadPhase], created: @escaping @Sendable ([LedgerEntry]) throws -> Void
    ) async throws -> ApplyOutcome {
        try await loadChat(phases, created: created)
    }

    /// The app's credentials are accepted, the tenant's departments are readable from the root,
    /// and the default department exists. Whether the app may write (the contact write
    /// permission, 更新通讯录) shows at the first write: Feishu has no call that asks without
    /// writing.
    public func probe() async -> [ConnectorCheck] {
        do {
            _ = try await client.get(
                api: FeishuDirectoryRead.childrenAPI, path: "/open-apis/contact/v3/departments/0/children",
                query: FeishuTarget.idTypes + [("page_size", "1")])
            var checks = [
                ConnectorCheck(
                    .passed, "\(keyPath): Feishu at \(settings.baseURL) accepts app \(settings.appID); the departments are readable")
            ]
            let department = settings.defaultDepartment
            if department != FeishuTargetConfig.root {
                do {
                    _ = try await client.get(
                        api: FeishuTarget.departmentGet, path: FeishuTarget.departmentPath(department), query: FeishuTarget.idTypes)
                    checks.append(ConnectorCheck(.passed, "\(keyPath).defaultDepartment: department \(department) exists"))
                } catch where (error as? FeishuError)?.code == FeishuObjects.departmentNotFound {
                    checks.append(
                        ConnectorCheck(
                            .failed, "\(keyPath).defaultDepartment: Feishu has no department \(department); give an existing department_id"))
                }
            }
            return checks
        } catch {
            return [ConnectorCheck(.failed, "\(keyPath): \(error)")]
        }
    }
}
