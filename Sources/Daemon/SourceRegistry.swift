import Config
import Connectors
import Logging
import OffsetStore

/// One kind of source: the key under `source:` in the configuration that selects it, and how
/// its ``Connectors/SourceConnector`` is made from a pipeline's configuration.
public struct SourceKind: Sendable {
    /// What a kind is given to make its connector.
    public struct Context: Sendable {
        public var pipeline: PipelineConfig
        /// Where the pipeline's source is in the configuration, for messages
        /// (`pipelines[0].source`).
        public var keyPath: String
        /// Where the kind keeps what it learns between runs; nil for commands that only look
        /// (`check`, `status`).
        public var store: OffsetStore?
        public var logger: Logger
    }

    public let key: String
    /// How the kind decodes its configuration block, for a kind that decodes its own; nil
    /// for the SQL databases, whose blocks the configuration decodes.
    public let config: ConfigKind?
    /// The connector, or nil when the pipeline's source is not of this kind.
    public let open: @Sendable (Context) throws -> (any SourceConnector)?

    public init(
        key: String, config: ConfigKind? = nil, open: @escaping @Sendable (Context) throws -> (any SourceConnector)?
    ) {
        self.key = key
        self.config = config
        self.open = open
    }
}

/// The source kinds this build can read, one entry per configuration key. The daemon knows
/// none of them by name: the program that composes it hands it the list.
public struct SourceRegistry: Sendable {
    private let kinds: [String: SourceKind]

    /// The configuration blocks the kinds decode themselves, for ``Config/ConfigLoader``.
    public var configKinds: [ConfigKind] { kinds.values.compactMap(\.config).sorted { $0.key < $1.key } }

    public init(_ kinds: [SourceKind]) {
        self.kinds = Dictionary(kinds.map { ($0.key, $0) }) { first, _ in first }
    }

    /// The connector of `pipeline`'s source.
    /// - Parameters:
    ///   - key: where the pipeline's source is in the configuration, for messages.
    ///   - store: where the kind keeps what it learns (nil for commands that only look).
    /// - Throws: ``SourceRegistryError`` for a kind this build cannot read.
    public func connector(
        for pipeline: PipelineConfig, key: String = "source", store: OffsetStore?, logger: Logger
    ) throws -> any SourceConnector {
        let kind = pipeline.source.kind
        let context = SourceKind.Context(pipeline: pipeline, keyPath: key, store: store, logger: logger)
        guard let connector = try kinds[kind]?.open(context) else {
            throw SourceRegistryError.unsupported(kind: kind, pipeline: pipeline.name, supported: kinds.keys.sorted())
        }
        return connector
    }
}

/// Why a pipeline's source cannot be opened.
public enum SourceRegistryError: Error, Sendable, Hashable, CustomStringConvertible {
    case unsupported(kind: String, pipeline: String, supported: [String])

    public var description: String {
        switch self {
        case .unsupported(let kind, let pipeline, let supported):
            "pipeline \(pipeline): \(kind) sources cannot be streamed by this build (sources: \(supported.joined(separator: ", ")))"
        }
    }
}
