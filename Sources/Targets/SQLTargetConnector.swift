import Config
import Logging
import Connectors
import Directory
import Reconcile
import SQLClients
import SQLProbe

/// A MariaDB/MySQL, PostgreSQL, SQLite or SQL Server database as a pipeline's target: a stream target on
/// a queue of its own, a reader of its tables for reconciliation, a first load over two
/// connections where the database takes two writers, and the table check.
public struct SQLTargetConnector: TargetConnector {
    public let endpoint: Endpoint
    /// What the target does with a user the source deleted (checked against the layout at
    /// every connection: deactivate needs an `active` column).
    public let onDelete: DeletePolicy?
    /// Where the target is in the configuration (`pipelines[0].target`), for messages.
    public let keyPath: String
    /// What a SQL Server target's writes are tagged with (`WITH CHANGE_TRACKING_CONTEXT`):
    /// the pipeline's ``EchoContext``; ignored by the other databases.
    public let changeTrackingContext: [UInt8]?
    /// Names the stream target's queue.
    private let name: String
    /// Whether the target's PostgreSQL connections prepare their recurring statements: off for
    /// good once the server lost one (a pooler moving sessions).
    private let preparation = PostgresStatementPreparation()

    public init(
        endpoint: Endpoint, onDelete: DeletePolicy?, keyPath: String, pipeline: String,
        changeTrackingContext: [UInt8]? = nil
    ) {
        self.endpoint = endpoint
        self.onDelete = onDelete
        self.keyPath = keyPath
        self.changeTrackingContext = changeTrackingContext
        name = pipeline
    }

    private func open(bulkLoading: Bool = false) throws -> SQLTarget {
        try SQLTarget.open(
            endpoint, onDelete: onDelete, changeTrackingContext: changeTrackingContext, bulkLoading: bulkLoading,
            preparation: preparation)
    }

    public func openTarget() throws -> any Target {
        let connector = self
        return SQLStreamTarget(label: "scimsync.target.\(name)") { try connector.open() }
    }

    /// No users and no groups: fresh tables.
    public func isEmpty() async throws -> Bool {
        try await BlockingThread.run(named: "scimsync.target.probe") { _ in
            try SQLReconcileReader(try open()).isEmpty()
        }
    }

    public func openReconcileReader() async throws -> any ReconcileTargetReader {
        SQLReconcileReader(try open())
    }

    /// Every other batch goes through a second connection on MariaDB and PostgreSQL; SQLite
    /// takes one writer at a time, and so does SQL Server here: the first load's batches
    /// hold key-range locks (the upsert's SERIALIZABLE hint) that a second writer would wait on.
    public func load(
        _ phases: [LoadPhase], created: @escaping @Sendable ([LedgerEntry]) throws -> Void
    ) async throws -> ApplyOutcome {
        let parallel: (@Sendable () throws -> SQLTarget)?
        switch endpoint.connection {
        case .mysql, .postgres:
            let connector = self
            parallel = { try connector.open(bulkLoading: true) }
        case .sqlite, .sqlserver:
            parallel = nil
        }
        let logger = Logger(label: "scimsync.load")
        return try InitialLoad.run(
            phases, target: try open(bulkLoading: true), openParallelTarget: parallel, created: created,
            notice: { logger.warning("\($0)") },
            loaded: { phase, took in logger.info("first load: \(phase) written", metadata: ["seconds": "\((took.secondsValue * 1000).rounded() / 1000)"]) })
    }

    public func probe() async -> [ConnectorCheck] {
        TableCheck.run(endpoint, keyPath: keyPath).checks
    }
}
