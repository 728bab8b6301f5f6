import Config
import Connectors
import Logging
import OffsetStore
import Reconcile

/// One kind of source or target: the key under `source:` or `target:` in the configuration
/// that selects it, how it decodes its block (where it has its own), and how its connector is
/// made from a pipeline's configuration.
public struct ConnectorKind<Connector>: Sendable {
    /// What a kind is given to make its connector.
    public struct Context: Sendable {
        public var pipeline: PipelineConfig
        /// Where the pipeline's source or target is in the configuration, for messages
        /// (`pipelines[0].source`).
        public var keyPath: String
        /// Where the kind keeps what it learns between runs (a binlog's schema history, a
        /// SCIM provider's ids); nil for commands that only look (`check`, `status`).
        public var store: OffsetStore?
        /// The offset store's path (`offsets.path`), for kinds that keep files beside it.
        public var offsetsPath: String?
        public var logger: Logger
        /// Opens a reader of the pipeline's target, for a source that must ask the target
        /// before it plans (a feed: which new userNames the target already has); nil for
        /// commands that only look.
        public var targetReader: (@Sendable () async throws -> any ReconcileTargetReader)?
        /// Where a source that receives event callbacks registers its receiver (the daemon's
        /// pipelines); nil for commands that only look.
        public var callbacks: CallbackHub?
    }

    public let key: String
    /// How the kind decodes its configuration block, for a kind that decodes its own; nil
    /// for the SQL databases, whose blocks the configuration decodes.
    public let config: ConfigKind?
    /// The connector, or nil when the pipeline's source or target is not of this kind.
    public let open: @Sendable (Context) throws -> Connector?

    public init(key: String, config: ConfigKind? = nil, open: @escaping @Sendable (Context) throws -> Connector?) {
        self.key = key
        self.config = config
        self.open = open
    }
}

/// The kinds of sources or targets this build can use, one entry per configuration key. The
/// daemon knows none of them by name: the program that composes it hands it the lists.
public struct KindRegistry<Connector>: Sendable {
    private let role: ConfigKind.Role
    private let kinds: [String: ConnectorKind<Connector>]

    init(role: ConfigKind.Role, _ kinds: [ConnectorKind<Connector>]) {
        self.role = role
        self.kinds = Dictionary(kinds.map { ($0.key, $0) }) { first, _ in first }
    }

    /// The configuration blocks the kinds decode themselves, for ``Config/ConfigLoader``.
    public var configKinds: [ConfigKind] { kinds.values.compactMap(\.config).sorted { $0.key < $1.key } }

    /// The connector of `pipeline`'s source or target.
    /// - Parameters:
    ///   - key: where it is in the configuration, for messages.
    ///   - store: where the kind keeps what it learns (nil for commands that only look).
    ///   - offsetsPath: `offsets.path`; the store's path when nil.
    ///   - targetReader: opens a reader of the pipeline's target (the daemon's pipelines).
    ///   - callbacks: where a source that receives event callbacks registers its receiver.
    /// - Throws: ``KindRegistryError`` for a kind this build cannot use.
    public func connector(
        for pipeline: PipelineConfig, key: String? = nil, store: OffsetStore?, offsetsPath: String? = nil, logger: Logger,
        targetReader: (@Sendable () async throws -> any ReconcileTargetReader)? = nil, callbacks: CallbackHub? = nil
    ) throws -> Connector {
        let kind = role == .source ? pipeline.source.kind : pipeline.target.kind
        let keyPath = key ?? (role == .source ? "source" : "target")
        let context = ConnectorKind<Connector>.Context(
            pipeline: pipeline, keyPath: keyPath, store: store, offsetsPath: offsetsPath ?? store?.path, logger: logger,
            targetReader: targetReader, callbacks: callbacks)
        guard let connector = try kinds[kind]?.open(context) else {
            throw KindRegistryError(role: role, kind: kind, pipeline: pipeline.name, supported: kinds.keys.sorted())
        }
        return connector
    }
}

public typealias SourceKind = ConnectorKind<any SourceConnector>
public typealias TargetKind = ConnectorKind<any TargetConnector>
public typealias SourceRegistry = KindRegistry<any SourceConnector>
public typealias TargetRegistry = KindRegistry<any TargetConnector>

extension KindRegistry where Connector == any SourceConnector {
    /// The source kinds this build reads.
    public init(_ kinds: [SourceKind]) {
        self.init(role: .source, kinds)
    }
}

extension KindRegistry where Connector == any TargetConnector {
    /// The target kinds this build writes.
    public init(_ kinds: [TargetKind]) {
        self.init(role: .target, kinds)
    }
}

/// Why a pipeline's source or target cannot be opened: this build has no such kind.
public struct KindRegistryError: Error, Sendable, Hashable, CustomStringConvertible {
    public var role: ConfigKind.Role
    public var kind: String
    public var pipeline: String
    public var supported: [String]

    public var description: String {
        let (noun, verb) = role == .source ? ("sources", "streamed") : ("targets", "written")
        return "pipeline \(pipeline): \(kind) \(noun) cannot be \(verb) by this build (\(noun): \(supported.joined(separator: ", ")))"
    }
}
