import Config
import Connectors
import Logging
import MySQLBinlog
import MySQLSource
import OffsetStore
import SCIMSource

/// The source kinds a pipeline can read, one entry per configuration key: the one place that
/// knows them by name. An entry makes the kind's ``Connectors/SourceConnector`` from the
/// pipeline's configuration; everything else in the daemon works through that seam.
public enum SourceRegistry {
    /// One kind of source.
    struct Entry: Sendable {
        /// What makes the kind's connector.
        /// What makes the kind's connector; `store` is nil for commands that only look
        /// (`check`, `status`).
        let open: @Sendable (_ pipeline: PipelineConfig, _ key: String, _ store: OffsetStore?, _ logger: Logger) throws -> (
            any SourceConnector
        )?
    }

    /// By the key under `source:` in the configuration.
    static let entries: [String: Entry] = [
        "mysql": Entry { pipeline, key, store, logger in
            guard case .mysql(let source)? = pipeline.source.sql?.connection else { return nil }
            let name = pipeline.name
            return MySQLConnector(
                .init(
                    host: source.host, port: source.port, user: source.user, password: source.password,
                    database: source.database, serverID: source.serverId ?? defaultServerID(name),
                    layout: pipeline.sourceLayout, onDelete: pipeline.onDelete, serverIDGiven: source.serverId != nil,
                    keyPath: key + ".mysql"),
                history: .init(
                    load: { try store?.schemaHistory(pipeline: name) ?? SchemaHistory() },
                    save: { try store?.save($0, pipeline: name) }),
                logger: logger)
        },
        "scim": Entry { pipeline, _, _, logger in
            guard case .scim(let source) = pipeline.source else { return nil }
            return try SCIMPullConnector(
                .init(
                    url: source.url, token: source.token, pageSize: source.pageSize,
                    interval: .seconds(source.intervalSeconds), poll: source.pollSeconds.map { .seconds($0) }),
                logger: logger)
        },
    ]

    /// The connector of `pipeline`'s source.
    /// - Parameters:
    ///   - key: where the pipeline's source is in the configuration, for messages.
    ///   - store: where the kind keeps what it learns (nil for commands that only look).
    /// - Throws: ``SourceRegistryError`` for a kind this version cannot read.
    public static func connector(
        for pipeline: PipelineConfig, key: String = "source", store: OffsetStore?, logger: Logger
    ) throws -> any SourceConnector {
        let kind = pipeline.source.kind
        guard let connector = try entries[kind]?.open(pipeline, key, store, logger) else {
            throw SourceRegistryError.unsupported(kind: kind, pipeline: pipeline.name, supported: entries.keys.sorted())
        }
        return connector
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

/// Why a pipeline's source cannot be opened.
public enum SourceRegistryError: Error, Sendable, Hashable, CustomStringConvertible {
    case unsupported(kind: String, pipeline: String, supported: [String])

    public var description: String {
        switch self {
        case .unsupported(let kind, let pipeline, let supported):
            "pipeline \(pipeline): \(kind) sources cannot be streamed by this version (sources: \(supported.joined(separator: ", ")))"
        }
    }
}
