import Connectors
import Directory
import Reconcile

/// What a chat directory's connector needs to stream its platform's callback events
/// (``CallbackStream``) instead of only reading in full every interval.
public struct CallbackWiring: Sendable {
    /// Where the pipeline's callback receiver delivers the events.
    public var inbox: CallbackInbox
    /// The pipeline's `onDelete`: a user who left is deactivated or deleted, as the full
    /// read's reconciliation does.
    public var onDelete: DeletePolicy
    /// The pipeline's name (the target reader's id orders are the pipeline's).
    public var pipeline: String
    /// Opens a reader of the pipeline's target, for the memberships a user has there before
    /// its event (the ones its departments no longer hold are removed); nil applies only
    /// additions and leaves removals to the next full read.
    public var targetReader: (@Sendable () async throws -> any ReconcileTargetReader)?
    /// How a fetch the platform failed transiently is retried before a full read is asked for.
    public var fetchRetry: LimitRetry

    public init(
        inbox: CallbackInbox, onDelete: DeletePolicy, pipeline: String,
        targetReader: (@Sendable () async throws -> any ReconcileTargetReader)?,
        fetchRetry: LimitRetry = LimitRetry(
            backoff: Backoff(initialDelay: .seconds(2), maximumDelay: .seconds(60)), maximumAttempts: 6)
    ) {
        self.inbox = inbox
        self.onDelete = onDelete
        self.pipeline = pipeline
        self.targetReader = targetReader
        self.fetchRetry = fetchRetry
    }
}
