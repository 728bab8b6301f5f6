import Synchronization

/// The callback receivers of this process's pipelines, by pipeline name. A pipeline's source
/// connector is made when the pipeline starts, after the admin server is listening: the kind
/// registers its receiver then, and the admin server asks at each request. A request for a
/// pipeline without one is refused (404): it names no pipeline that receives callbacks.
public final class CallbackHub: Sendable {
    private let receivers = Mutex<[String: any CallbackReceiver]>([:])

    public init() {}

    /// Makes `receiver` the one of `pipeline` (the last connector made wins: a pipeline makes
    /// one per run).
    public func register(_ receiver: any CallbackReceiver, pipeline: String) {
        receivers.withLock { $0[pipeline] = receiver }
    }

    /// The receiver of `pipeline`, if it has one now.
    public func receiver(pipeline: String) -> (any CallbackReceiver)? {
        receivers.withLock { $0[pipeline] }
    }
}
