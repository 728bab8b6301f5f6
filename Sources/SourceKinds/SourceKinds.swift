import ChatDirectories
import Config
import Daemon
import FeedSource
import MySQLBinlog
import MySQLSource
import SCIMSource
import SQLServerSource

/// Every source kind this build reads: the registry the program hands the daemon. A new kind
/// is its module and one entry here.
public enum SourceKinds {
    public static let registry = SourceRegistry([mysql, sqlserver, scim, feed, feishu, dingtalk, wecom])

    /// `source: { mysql: ... }`: the binlog of a MySQL/MariaDB server.
    static let mysql = SourceKind(key: "mysql") { context in
        guard case .mysql(let source)? = context.pipeline.source.sql?.connection else { return nil }
        let (pipeline, store) = (context.pipeline, context.store)
        let name = pipeline.name
        return MySQLConnector(
            .init(
                host: source.host, port: source.port, user: source.user, password: source.password,
                database: source.database, serverID: source.serverId ?? defaultServerID(name),
                layout: pipeline.sourceLayout, onDelete: pipeline.onDelete, serverIDGiven: source.serverId != nil,
                keyPath: context.keyPath + ".mysql"),
            history: .init(
                load: { try store?.schemaHistory(pipeline: name) ?? SchemaHistory() },
                save: { try store?.save($0, pipeline: name) }),
            logger: context.logger)
    }

    /// `source: { sqlserver: ... }`: SQL Server change tracking, polled.
    static let sqlserver = SourceKind(key: "sqlserver") { context in
        guard case .sqlserver(let source)? = context.pipeline.source.sql?.connection else { return nil }
        let pipeline = context.pipeline
        return SQLServerConnector(
            .init(
                connection: source, layout: pipeline.sourceLayout, onDelete: pipeline.onDelete,
                echo: EchoContext.echoes(of: pipeline), reconcileEvery: pipeline.reconcile.everySeconds.map { .seconds($0) },
                keyPath: context.keyPath + ".sqlserver"),
            logger: context.logger)
    }

    /// `source: { scim: ... }`: a SCIM service provider, pulled.
    static let scim = SourceKind(key: "scim", config: SCIMSourceConfig.configKind) { context in
        guard let source = context.pipeline.source.settings(SCIMSourceConfig.self) else { return nil }
        return try SCIMPullConnector(
            .init(
                url: source.url, token: source.token, pageSize: source.pageSize,
                interval: .seconds(source.intervalSeconds), poll: source.pollSeconds.map { .seconds($0) },
                keyPath: context.keyPath + ".scim"),
            logger: context.logger)
    }

    /// `source: { feed: ... }`: uploaded exports, each upload a run.
    static let feed = SourceKind(key: "feed", config: FeedSourceConfig.configKind) { context in
        guard let settings = context.pipeline.source.settings(FeedSourceConfig.self) else { return nil }
        // The default directory is beside the offset store; a configured one needs no path.
        guard settings.directory != nil || context.offsetsPath != nil else {
            throw FeedWithoutOffsets(pipeline: context.pipeline.name)
        }
        // A command that only looks reports what `run` will make rather than making it.
        if context.store == nil,
            let unmade = UnmadeFeed(
                settings: settings, pipeline: context.pipeline.name, offsetsPath: context.offsetsPath ?? "",
                keyPath: context.keyPath + ".feed")
        {
            return unmade
        }
        return FeedConnector(
            site: try FeedSite(settings: settings, pipeline: context.pipeline.name, offsetsPath: context.offsetsPath ?? ""),
            settings: .init(
                poll: .seconds(settings.pollSeconds), keepFiles: settings.keepFiles, keyPath: context.keyPath + ".feed"),
            targetReader: context.targetReader, logger: context.logger)
    }

    /// `source: { feishu: ... }`: a Feishu tenant's directory, read in full every `interval`.
    static let feishu = SourceKind(key: "feishu", config: FeishuSourceConfig.configKind) { context in
        guard let settings = context.pipeline.source.settings(FeishuSourceConfig.self) else { return nil }
        let endpoint = settings.callback.map { FeishuCallbackEndpoint(config: $0) }
        return FeishuConnector(
            settings, keyPath: context.keyPath + ".feishu",
            callbacks: ChatCallbacks.wiring(context, platform: "Feishu", endpoint: endpoint),
            logger: context.logger)
    }

    /// `source: { dingtalk: ... }`: a DingTalk organisation's directory, read in full every `interval`.
    static let dingtalk = SourceKind(key: "dingtalk", config: DingTalkSourceConfig.configKind) { context in
        guard let settings = context.pipeline.source.settings(DingTalkSourceConfig.self) else { return nil }
        let keyPath = context.keyPath + ".dingtalk"
        var endpoint: DingTalkCallbackEndpoint?
        if let callback = settings.callback {
            guard let made = DingTalkCallbackEndpoint(config: callback, appKey: settings.appKey) else {
                throw UnusableCallbackKey(keyPath: keyPath)
            }
            endpoint = made
        }
        return DingTalkConnector(
            settings, keyPath: keyPath,
            callbacks: ChatCallbacks.wiring(context, platform: "DingTalk", endpoint: endpoint),
            logger: context.logger)
    }

    /// `source: { wecom: ... }`: a WeCom corp's directory, read in full every `interval`.
    static let wecom = SourceKind(key: "wecom", config: WeComSourceConfig.configKind) { context in
        guard let settings = context.pipeline.source.settings(WeComSourceConfig.self) else { return nil }
        let keyPath = context.keyPath + ".wecom"
        var endpoint: WeComCallbackEndpoint?
        if let callback = settings.callback {
            guard let made = WeComCallbackEndpoint(config: callback, corpID: settings.corpID) else {
                throw UnusableCallbackKey(keyPath: keyPath)
            }
            endpoint = made
        }
        return WeComConnector(
            settings, keyPath: keyPath,
            callbacks: ChatCallbacks.wiring(context, platform: "WeCom", endpoint: endpoint),
            logger: context.logger)
    }

    /// A stable replica id per pipeline name when the config gives none: FNV-1a into
    /// 1,000,000 ... 2^31, away from the small ids people give servers.
    static func defaultServerID(_ name: String) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in name.utf8 {
            hash = (hash ^ UInt32(byte)) &* 16_777_619
        }
        return 1_000_000 + hash % (0x8000_0000 - 1_000_000)
    }
}

/// A feed's files live beside the offset store: a command that opens a feed needs its path.
struct FeedWithoutOffsets: Error, CustomStringConvertible {
    var pipeline: String
    var description: String { "pipeline \(pipeline): the feed's directory is not known (give source.feed.directory)" }
}
