import Config
import Connectors
import Logging
import OffsetStore

/// One kind of target: the key under `target:` in the configuration that selects it, and how
/// its ``Connectors/TargetConnector`` is made from a pipeline's configuration.
public struct TargetKind: Sendable {
    /// What a kind is given to make its connector.
    public struct Context: Sendable {
        public var pipeline: PipelineConfig
        /// Where the pipeline's target is in the configuration, for messages
        /// (`pipelines[0].target`).
        public var keyPath: String
        /// Where the kind keeps what it learns between runs (a SCIM provider's ids); nil for
        /// commands that only look (`check`).
        public var store: OffsetStore?
        public var logger: Logger
    }

    public let key: String
    /// How the kind decodes its configuration block, for a kind that decodes its own; nil
    /// for the SQL databases, whose blocks the configuration decodes.
    public let config: ConfigKind?
    /// The connector, or nil when the pipeline's target is not of this kind.
    public let open: @Sendable (Context) throws -> (any TargetConnector)?

    public init(
        key: String, config: ConfigKind? = nil, open: @escaping @Sendable (Context) throws -> (any TargetConnector)?
    ) {
        self.key = key
        self.config = config
        self.open = open
    }
}

/// The target kinds this build can write, one entry per configuration key. The daemon knows
/// none of them by name: the program that composes it hands it the list.
public struct TargetRegistry: Sendable {
    private let kinds: [String: TargetKind]

    /// The configuration blocks the kinds decode themselves, for ``Config/ConfigLoader``.
    public var configKinds: [ConfigKind] { kinds.values.compactMap(\.config).sorted { $0.key < $1.key } }

    public init(_ kinds: [TargetKind]) {
        self.kinds = Dictionary(kinds.map { ($0.key, $0) }) { first, _ in first }
    }

    /// The connector of `pipeline`'s target.
    /// - Parameters:
    ///   - key: where the pipeline's target is in the configuration, for messages.
    ///   - store: where the kind keeps what it learns (nil for commands that only look).
    /// - Throws: ``TargetRegistryError`` for a kind this build cannot write.
    public func connector(
        for pipeline: PipelineConfig, key: String = "target", store: OffsetStore?, logger: Logger
    ) throws -> any TargetConnector {
        let kind = pipeline.target.kind
        let context = TargetKind.Context(pipeline: pipeline, keyPath: key, store: store, logger: logger)
        guard let connector = try kinds[kind]?.open(context) else {
            throw TargetRegistryError.unsupported(kind: kind, pipeline: pipeline.name, supported: kinds.keys.sorted())
        }
        return connector
    }
}

/// Why a pipeline's target cannot be opened.
public enum TargetRegistryError: Error, Sendable, Hashable, CustomStringConvertible {
    case unsupported(kind: String, pipeline: String, supported: [String])

    public var description: String {
        switch self {
        case .unsupported(let kind, let pipeline, let supported):
            "pipeline \(pipeline): \(kind) targets cannot be written by this build (targets: \(supported.joined(separator: ", ")))"
        }
    }
}
