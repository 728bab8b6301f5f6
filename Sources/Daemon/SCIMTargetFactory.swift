import Config
import Directory
import Logging
import OffsetStore
import SCIMClient
import SCIMTarget
import Targets

extension SCIMTarget: ReplicationTarget {
    public func apply(_ ops: [ResourceOp]) throws {
        // Skips are logged one by one where they happen.
        _ = try applyBlocking(ops)
    }
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
}

/// A pipeline's SCIM provider ids, kept in the offset store.
public struct OffsetStoreSCIMIDs: SCIMIDMap {
    let store: OffsetStore
    let pipeline: String

    public init(store: OffsetStore, pipeline: String) {
        self.store = store
        self.pipeline = pipeline
    }

    public func entry(_ sourceID: String, kind: ResourceKind) throws -> SCIMIDEntry? {
        switch try store.scimProviderID(sourceID, kind: kind, pipeline: pipeline) {
        case .some(.some(let providerID)): .mapped(providerID)
        case .some(.none): .pending
        case .none: nil
        }
    }

    public func recordIntent(_ sourceID: String, kind: ResourceKind) throws {
        try store.setSCIMProviderID(nil, for: sourceID, kind: kind, pipeline: pipeline)
    }

    public func map(_ sourceID: String, to providerID: String, kind: ResourceKind) throws {
        try store.setSCIMProviderID(providerID, for: sourceID, kind: kind, pipeline: pipeline)
    }

    public func forget(_ sourceID: String, kind: ResourceKind) throws {
        try store.removeSCIMProviderID(sourceID, kind: kind, pipeline: pipeline)
    }
}

extension PipelineConfig {
    /// The layout the source's rows are read through. A SCIM source has none (it serves SCIM
    /// resources): the target's layout, which maps the same resources, stands in for it, so
    /// that comparisons cover the attributes the target keeps. The configuration refuses a
    /// SCIM source with a SCIM target, so one of the two is SQL.
    public var sourceLayout: DirectoryLayout {
        if let layout = source.sql?.layout ?? target.sql?.layout { return layout }
        preconditionFailure("pipeline \(name): a scim source with a scim target (the configuration refuses it)")
    }
}

extension PipelineConfig {
    /// The layout reconciliation compares the target through. A SCIM target keeps what the
    /// source layout maps, as SCIM attributes, without a group parent (SCIM has none).
    public var targetLayout: DirectoryLayout {
        if let layout = target.sql?.layout { return layout }
        var layout = sourceLayout
        layout.groups?.parent = nil
        return layout
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
