import Connectors
import Directory

/// Who hears what a running pipeline does: logs, metrics, `/readyz`. Every method has a
/// default that does nothing.
public protocol PipelineObserver: Sendable {
    /// The state changed (one log line per change, the state gauge, `/readyz`).
    func stateChanged(from old: PipelineState, to new: PipelineState)
    /// An attempt failed and will be retried, or stopped the pipeline.
    func attemptFailed(_ cause: RetryCause, attempt: Int, delay: Duration?)
    /// A batch was applied and committed.
    func batchCommitted(_ batch: SourceBatch)
    /// Operations were parked (first time only) or applied after waiting.
    func parkedChanged(parked: [ParkedOperation], unparked: Int, total: Int)
    /// Resources were quarantined by the target.
    func quarantined(_ resources: [QuarantinedResource])
    /// A batch's write has waited for the target longer than it should (`reason`: a frozen
    /// server, a lock, a provider's retries), or has been answered after all (nil).
    func targetWaiting(_ reason: String?)
}

extension PipelineObserver {
    public func stateChanged(from old: PipelineState, to new: PipelineState) {}
    public func attemptFailed(_ cause: RetryCause, attempt: Int, delay: Duration?) {}
    public func batchCommitted(_ batch: SourceBatch) {}
    public func parkedChanged(parked: [ParkedOperation], unparked: Int, total: Int) {}
    public func quarantined(_ resources: [QuarantinedResource]) {}
    public func targetWaiting(_ reason: String?) {}
}

/// Hears nothing.
public struct SilentObserver: PipelineObserver {
    public init() {}
}
