import Connectors
import Directory
import Logging
import Reconcile

/// A WeCom corp as a pipeline's target (`target: { wecom: ... }`): writes through
/// ``WeComTarget`` with the contact-sync secret, reads with the app's, WeCom's ids of
/// scimsync's objects in a ``ChatTargetIDMap``.
public struct WeComTargetConnector: ChatTargetConnector {
    public let settings: WeComTargetConfig
    /// Where the settings are in the configuration (`pipelines[0].target.wecom`), for messages.
    public let keyPath: String
    private let adopt: Bool
    /// Nil for commands that only look (`scimsync check`): then only ``probe()`` may be used.
    let idMap: (any ChatTargetIDMap)?
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
        idMap = ids
        self.logger = logger
        client = WeComClient(
            baseURL: settings.baseURL, corpID: settings.corpID, secrets: settings.secrets, keyPath: keyPath, logger: logger)
    }

    static let platform = "WeCom"

    func writer(_ ids: any ChatTargetIDMap) -> WeComTarget {
        WeComTarget(client: client, ids: ids, settings: settings, adopt: adopt, logger: logger)
    }

    /// WeCom read back for reconciliation: the corp read as the WeCom source reads it
    /// (``WeComDirectoryRead``: the department tree, each department's members, with the app's
    /// secret), through the target's attribute map, then keyed by the source ids
    /// (``ChatDirectoryReader/keyedBySourceIDs(_:derivesActive:inactiveIn:)``). A member's `active` is its
    /// `status`.
    func readBack(_ ids: any ChatTargetIDMap) async throws -> ChatDirectoryReader {
        let layout = settings.targetLayout
        let records = WeComRecords(
            users: layout?.users.attributes ?? settings.users, groups: layout?.groups?.attributes ?? settings.groups)
        return try await WeComDirectoryRead(client: client, records: records, logger: logger).read().keyedBySourceIDs(ids)
    }

    public func openTarget() throws -> any Target { try openChatTarget() }
    public func isEmpty() async throws -> Bool { try await chatTargetIsEmpty() }
    public func openReconcileReader() async throws -> any ReconcileTargetReader { try await openChatReadBack() }

    /// Chunk by chunk (``ChatTargetLoad``): WeCom has no transactions.
    public func load(
        _ phases: [LoadPhase], created: @escaping @Sendable ([LedgerEntry]) throws -> Void
    ) async throws -> ApplyOutcome {
        try await loadChat(phases, created: created)
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
