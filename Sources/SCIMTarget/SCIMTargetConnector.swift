import Connectors
import Directory
import Logging
import Reconcile
import SCIMClient

/// A SCIM 2.0 service provider as a pipeline's target: requests awaited, never waited for on
/// a blocked thread; the provider's ids of scimsync's resources kept in an ``SCIMIDMap``.
public struct SCIMTargetConnector: TargetConnector {
    /// Where the provider is and how scimsync writes to it.
    public struct Settings: Sendable {
        public var url: String
        public var token: String
        public var options: SCIMTargetOptions
        /// Where the provider's settings are in the configuration (`pipelines[0].target.scim`),
        /// for messages.
        public var keyPath: String

        public init(url: String, token: String, options: SCIMTargetOptions, keyPath: String) {
            self.url = url
            self.token = token
            self.options = options
            self.keyPath = keyPath
        }
    }

    public let settings: Settings
    /// Nil for commands that only look (`scimsync check`): then only ``probe()`` may be used.
    private let ids: (any SCIMIDMap)?
    private let logger: Logger

    public init(_ settings: Settings, ids: (any SCIMIDMap)?, logger: Logger) {
        self.settings = settings
        self.ids = ids
        self.logger = logger
    }

    private func idMap() throws -> any SCIMIDMap {
        guard let ids else { throw SCIMTargetConnectorError.noIDMap }
        return ids
    }

    private func target() throws -> SCIMTarget {
        SCIMTarget(
            client: try SCIMClient(baseURL: settings.url, token: settings.token, logger: logger), ids: try idMap(),
            options: settings.options, logger: logger)
    }

    public func openTarget() throws -> any Target {
        SCIMStreamTarget(try target())
    }

    /// scimsync has no provider ids yet. What the provider already holds is met by the
    /// creates' 409 handling (`adopt`), not compared.
    public func isEmpty() async throws -> Bool {
        let ids = try idMap()
        return try ids.count(.user) == 0 && ids.count(.group) == 0
    }

    public func openReconcileReader() async throws -> any ReconcileTargetReader {
        let client = try SCIMClient(baseURL: settings.url, token: settings.token, logger: logger)
        return try await SCIMReconcileReader.read(client: client, ids: try idMap())
    }

    /// Chunk by chunk, each chunk's requests awaited in order: a provider has no transactions
    /// to overlap.
    public func load(
        _ phases: [LoadPhase], created: @escaping @Sendable ([LedgerEntry]) throws -> Void
    ) async throws -> ApplyOutcome {
        let target = SCIMStreamTarget(try target())
        var outcome = ApplyOutcome.applied
        for phase in phases {
            let next = phase.readSettingAsideUnmappable()
            while let read = try next() {
                outcome.quarantined += read.unmapped.map(\.quarantined)
                let chunk = read.ops
                guard !chunk.isEmpty else { continue }
                let ops = phase.creates ? ResourceOp.ordered(chunk) : chunk
                if phase.creates { try created(ops.compactMap(\.createdEntry)) }
                outcome.append(try await target.apply(ops))
                Failpoint.loadBatchApplied.passed()
            }
        }
        return outcome
    }

    public func probe() async -> [ConnectorCheck] {
        [await SCIMProbe.check(url: settings.url, token: settings.token, keyPath: settings.keyPath)]
    }
}

/// Why a SCIM target cannot be used as asked.
public enum SCIMTargetConnectorError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A connector made for `scimsync check` was asked to write.
    case noIDMap

    public var description: String {
        switch self {
        case .noIDMap: "this SCIM target has no offset store for its provider ids (made for checking only)"
        }
    }
}
