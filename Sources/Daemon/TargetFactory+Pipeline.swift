import Config
import Directory
import Logging
import OffsetStore
import Reconcile
import SCIMClient
import SCIMTarget
import Targets

extension SCIMTarget: ReplicationTarget {
    public func apply(_ ops: [ResourceOp]) throws {
        // Skips are logged one by one where they happen.
        _ = try applyBlocking(ops)
    }

    /// Not asked: a SCIM target streams through ``SCIMPushTarget``, which counts its ledger.
    public func resourceCount() throws -> Int { 0 }
}

extension TargetFactory {
    /// Opens the target of `pipeline`: a SQL target (checked against its layout and
    /// `onDelete`), or a SCIM target whose provider ids live in `store`.
    public static func open(
        _ pipeline: PipelineConfig, store: OffsetStore, logger: Logger = Logger(label: "scimsync")
    ) throws -> any ReplicationTarget {
        switch pipeline.target {
        case .sql(let endpoint):
            return try open(endpoint, onDelete: pipeline.onDelete)
        case .scim(let config):
            return try openSCIM(pipeline, config, store: store, logger: logger)
        }
    }

    /// The SCIM service provider `pipeline` pushes to, its provider ids kept in `store`.
    static func openSCIM(
        _ pipeline: PipelineConfig, _ config: SCIMTargetConfig, store: OffsetStore, logger: Logger
    ) throws -> SCIMTarget {
        var logger = logger
        logger[metadataKey: "pipeline"] = "\(pipeline.name)"
        let client = try SCIMClient(baseURL: config.url, token: config.token, logger: logger)
        return SCIMTarget(
            client: client, ids: OffsetStoreSCIMIDs(store: store, pipeline: pipeline.name),
            options: SCIMTargetOptions(
                adopt: pipeline.adopt, membersPerPatch: config.membersPerPatch,
                managed: ManagedAttributes(layout: pipeline.sourceLayout)),
            logger: logger)
    }
}

extension TargetFactory {
    /// What a reconciliation reads `pipeline`'s target through: a SQL target (`sharing`'s
    /// connection, or one of its own), or the SCIM provider page by page.
    static func reconcileReader(
        _ pipeline: PipelineConfig, store: OffsetStore, sharing target: (any ReplicationTarget)? = nil
    ) throws -> any ReconcileTargetReader {
        switch pipeline.target {
        case .sql(let endpoint):
            if let sql = target as? SQLTarget { return SQLReconcileReader(sql) }
            return SQLReconcileReader(try open(endpoint, onDelete: pipeline.onDelete))
        case .scim(let config):
            let client = try SCIMClient(baseURL: config.url, token: config.token)
            return SCIMReconcileReader(client: client, store: store, pipeline: pipeline.name)
        }
    }
}
