import ChatDirectories
import Config
import Daemon
import Directory
import Logging
import SCIMTarget
import Targets

/// Every target kind this build writes: the registry the program hands the daemon. A new
/// kind is its module and one entry here.
public enum TargetKinds {
    public static let registry = TargetRegistry([
        sql("mysql"), sql("postgres"), sql("sqlite"), sql("sqlserver"), scim, dingtalk, feishu, wecom,
    ])

    /// `target: { mysql | postgres | sqlite | sqlserver: ... }`: a client database. A SQL
    /// Server target tags the pipeline's writes with its echo context, so that a pipeline
    /// reading that database back skips them.
    static func sql(_ key: String) -> TargetKind {
        TargetKind(key: key) { context in
            guard let endpoint = context.pipeline.target.sql, endpoint.connection.kind == key else { return nil }
            return SQLTargetConnector(
                endpoint: endpoint, onDelete: context.pipeline.onDelete, keyPath: context.keyPath,
                pipeline: context.pipeline.name,
                changeTrackingContext: key == "sqlserver" ? EchoContext.context(of: context.pipeline) : nil)
        }
    }

    /// `target: { scim: ... }`: a SCIM service provider, its ids kept in the offset store.
    static let scim = TargetKind(key: "scim", config: SCIMTargetConfig.configKind) { context in
        guard let config = context.pipeline.target.settings(SCIMTargetConfig.self) else { return nil }
        let pipeline = context.pipeline
        var logger = context.logger
        logger[metadataKey: "pipeline"] = "\(pipeline.name)"
        return SCIMTargetConnector(
            .init(
                url: config.url, token: config.token,
                options: SCIMTargetOptions(
                    adopt: pipeline.adopt, membersPerPatch: config.membersPerPatch,
                    managed: ManagedAttributes(layout: pipeline.sourceLayout)),
                keyPath: context.keyPath + ".scim"),
            ids: context.store.map { OffsetStoreSCIMIDs(store: $0, pipeline: pipeline.name) }, logger: logger)
    }

    /// `target: { dingtalk: ... }`: a DingTalk organisation, its ids kept in the offset store.
    /// `onDelete: deactivate` needs a department to move deactivated users to: DingTalk has no
    /// disabled state.
    static let dingtalk = TargetKind(key: "dingtalk", config: DingTalkTargetConfig.configKind) { context in
        guard let config = context.pipeline.target.settings(DingTalkTargetConfig.self) else { return nil }
        let pipeline = context.pipeline
        let keyPath = context.keyPath + ".dingtalk"
        if pipeline.onDelete == .deactivate, config.deactivatedDepartment == nil {
            throw DingTalkTargetError.deactivateNeedsDepartment(keyPath: keyPath)
        }
        var logger = context.logger
        logger[metadataKey: "pipeline"] = "\(pipeline.name)"
        return DingTalkTargetConnector(
            config, keyPath: keyPath, adopt: pipeline.adopt,
            ids: context.store.map { OffsetStoreChatIDs(store: $0, platform: "dingtalk", pipeline: pipeline.name) }, logger: logger)
    }

    /// `target: { feishu: ... }`: a Feishu tenant, its ids kept in the offset store.
    /// `onDelete: deactivate` freezes a user (`is_frozen`).
    static let feishu = TargetKind(key: "feishu", config: FeishuTargetConfig.configKind) { context in
        guard let config = context.pipeline.target.settings(FeishuTargetConfig.self) else { return nil }
        let pipeline = context.pipeline
        var logger = context.logger
        logger[metadataKey: "pipeline"] = "\(pipeline.name)"
        return FeishuTargetConnector(
            config, keyPath: context.keyPath + ".feishu", adopt: pipeline.adopt,
            ids: context.store.map { OffsetStoreChatIDs(store: $0, platform: "feishu", pipeline: pipeline.name) }, logger: logger)
    }

    /// `target: { wecom: ... }`: a WeCom corp, its ids kept in the offset store. WeCom disables
    /// a member (`enable` 0): `onDelete: deactivate` needs nothing more.
    static let wecom = TargetKind(key: "wecom", config: WeComTargetConfig.configKind) { context in
        guard let config = context.pipeline.target.settings(WeComTargetConfig.self) else { return nil }
        let pipeline = context.pipeline
        var logger = context.logger
        logger[metadataKey: "pipeline"] = "\(pipeline.name)"
        return WeComTargetConnector(
            config, keyPath: context.keyPath + ".wecom", adopt: pipeline.adopt,
            ids: context.store.map { OffsetStoreChatIDs(store: $0, platform: "wecom", pipeline: pipeline.name) }, logger: logger)
    }
}
