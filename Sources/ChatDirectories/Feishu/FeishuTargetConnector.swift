import Connectors
import Directory
import Logging
import Reconcile

/// A Feishu tenant as a pipeline's target (`target: { feishu: ... }`): writes through
/// ``FeishuTarget``, the ids of scimsync's objects in a ``ChatTargetIDMap``.
public struct FeishuTargetConnector: TargetConnector {
    public let settings: FeishuTargetConfig
    /// Where the settings are in the configuration (`pipelines[0].target.feishu`), for messages.
    public let keyPath: String
    private let adopt: Bool
    /// Nil for commands that only look (`scimsync check`): then only ``probe()`` may be used.
    private let ids: (any ChatTargetIDMap)?
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
        self.ids = ids
        self.logger = logger
        client = FeishuClient(
            baseURL: settings.baseURL, appID: settings.appID, appSecret: settings.appSecret, keyPath: keyPath, logger: logger)
    }

    private func target() throws -> FeishuTarget {
        guard let ids else { throw FeishuTargetError.noIDMap }
        return FeishuTarget(client: client, ids: ids, settings: settings, adopt: adopt, logger: logger)
    }

    public func openTarget() throws -> any Target {
        FeishuStreamTarget(try target())
    }

    /// scimsync has no Feishu ids yet. What the tenant already holds is met by the creates
    /// (41011, 43007, `adopt`), not compared.
    public func isEmpty() async throws -> Bool {
        guard let ids else { throw FeishuTargetError.noIDMap }
        return try ids.count(.user) == 0 && ids.count(.group) == 0
    }

    public func openReconcileReader() async throws -> any ReconcileTargetReader {
        guard let ids else { throw FeishuTargetError.noIDMap }
        return try await FeishuReconcileReader.read(client: client, ids: ids, settings: settings, logger: logger)
    }

    /// Chunk by chunk, each chunk's calls awaited in order: Feishu has no transactions. The
    /// departments and their parents (a source's first load gives them as two phases) are
    /// applied together, so that each department is created under its parent at once: created
    /// under the root first, two departments of one name under different parents would meet
    /// there (43022).
    public func load(
        _ phases: [LoadPhase], created: @escaping @Sendable ([ResourceOp]) throws -> Void
    ) async throws -> ApplyOutcome {
        let target = FeishuStreamTarget(try target())
        var outcome = ApplyOutcome.applied
        var tree: [ResourceOp] = []
        func applyTree() async throws {
            guard !tree.isEmpty else { return }
            outcome.append(try await target.apply(ResourceOp.ordered(tree)))
            tree.removeAll()
            LoadFailpoint.batchApplied()
        }
        for phase in phases {
            while let chunk = try phase.next() {
                guard !chunk.isEmpty else { continue }
                let ops = phase.creates ? ResourceOp.ordered(chunk) : chunk
                if phase.creates { try created(ops) }
                if ops.allSatisfy(\.isFeishuDepartmentTree) {
                    tree += ops
                    continue
                }
                try await applyTree()
                outcome.append(try await target.apply(ops))
                LoadFailpoint.batchApplied()
            }
        }
        try await applyTree()
        return outcome
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

/// A Feishu target as a pipeline's stream applies through it. An object Feishu refuses comes
/// back quarantined; one waiting for a user or department not there yet comes back parked;
/// Feishu unreachable fails the batch, which is retried.
final class FeishuStreamTarget: Target {
    private let target: FeishuTarget

    init(_ target: FeishuTarget) {
        self.target = target
    }

    func apply(_ ops: [ResourceOp]) async throws -> ApplyOutcome {
        let report = try await target.apply(ops)
        return ApplyOutcome(
            parked: report.parked,
            quarantined: report.refused.map { QuarantinedResource(kind: $0.subject.kind, id: $0.subject.id, reason: $0.reason) })
    }

    /// Feishu's objects scimsync knows (its id map): a share of the whole tenant would count
    /// what scimsync may never remove.
    func resourceCount() async throws -> Int {
        try target.ids.count(.user) + target.ids.count(.group)
    }
}

/// Why a Feishu target cannot be used as asked.
public enum FeishuTargetError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A connector made for `scimsync check` was asked to write.
    case noIDMap

    public var description: String {
        switch self {
        case .noIDMap: "this Feishu target has no offset store for its ids (made for checking only)"
        }
    }
}

extension ResourceOp {
    /// A department's create or parent: what a first load gathers into one apply.
    fileprivate var isFeishuDepartmentTree: Bool {
        switch self {
        case .create(.group, _), .moveParent: true
        case .create(.user, _), .patch, .delete, .deactivate, .reactivate, .addMember, .removeMember: false
        }
    }
}
