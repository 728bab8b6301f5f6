import Connectors
import Directory
import Logging
import Reconcile

/// A DingTalk organisation as a pipeline's target (`target: { dingtalk: ... }`): writes through
/// ``DingTalkTarget``, DingTalk's ids of scimsync's objects in a ``ChatTargetIDMap``.
public struct DingTalkTargetConnector: ChatTargetConnector {
    public let settings: DingTalkTargetConfig
    /// Where the settings are in the configuration (`pipelines[0].target.dingtalk`), for messages.
    public let keyPath: String
    private let adopt: Bool
    /// Nil for commands that only look (`scimsync check`): then only ``probe()`` may be used.
    let idMap: (any ChatTargetIDMap)?
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
        idMap = ids
        self.logger = logger
        client = DingTalkClient(
            baseURL: settings.baseURL, appKey: settings.appKey, appSecret: settings.appSecret, keyPath: keyPath,
            logger: logger)
    }

    static let platform = "DingTalk"

    func writer(_ ids: any ChatTargetIDMap) -> DingTalkTarget {
        DingTalkTarget(client: client, ids: ids, settings: settings, adopt: adopt, logger: logger)
    }

    /// DingTalk read back for reconciliation: the organisation read as the DingTalk source
    /// reads it (``DingTalkDirectoryRead``: the department tree level by level, each department's
    /// users page by page), through the target's attribute map, then keyed by the source ids
    /// (``ChatDirectoryReader/keyedBySourceIDs(_:derivesActive:inactiveIn:)``). A user in the deactivated
    /// department reads as `active` false; the default and deactivated departments, like the root,
    /// are no memberships.
    func readBack(_ ids: any ChatTargetIDMap) async throws -> ChatDirectoryReader {
        let layout = settings.targetLayout
        let records = DingTalkRecords(
            users: layout?.users.attributes ?? settings.users, groups: layout?.groups?.attributes ?? settings.groups)
        let read = try await DingTalkDirectoryRead(client: client, records: records, pageSize: 100, logger: logger).read()
        return try read.keyedBySourceIDs(ids, derivesActive: true, inactiveIn: settings.deactivatedDepartment.map(String.init))
    }

    public func openTarget() throws -> any Target { try openChatTarget() }
    public func isEmpty() async throws -> Bool { try await chatTargetIsEmpty() }
    public func openReconcileReader() async throws -> any ReconcileTargetReader { try await openChatReadBack() }

    /// Chunk by chunk (``ChatTargetLoad``): DingTalk has no transactions.
    public func load(
        _ phases: [LoadPhase], created: @escaping @Sendable ([LedgerEntry]) throws -> Void
    ) async throws -> ApplyOutcome {
        try await loadChat(phases, created: created)
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
    /// `onDelete: deactivate` without a department to put deactivated users in.
    case deactivateNeedsDepartment(keyPath: String)

    public var description: String {
        switch self {
        case .deactivateNeedsDepartment(let keyPath):
            "\(keyPath).deactivatedDepartment: onDelete: deactivate needs the dept_id of a department deactivated users "
                + "are moved to (DingTalk has no disabled state); create one in DingTalk and give its id, or use onDelete: delete"
        }
    }
}
