import Dispatch
import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A bound on how long SIGTERM or SIGINT may take to stop `scimsync run`. The stop waits for
/// the batches in flight to commit; one that waits on something that does not answer (a load
/// blocked on a lock another client holds, a frozen server) would hold the stop for as long,
/// until a supervisor kills the process without a word. Past the bound the process says what
/// it was waiting for and exits 1: every step is safe to interrupt (the target's transaction
/// rolls back, the offset store keeps the last committed position), and the next start applies
/// again what was in flight.
enum StopDeadline {
    /// Arms the bound on the first SIGTERM or SIGINT; keep the returned sources alive.
    static func arm(after limit: Duration, logger: Logger) -> [any DispatchSourceSignal] {
        let armed = DispatchQueue(label: "scimsync.stop-deadline")
        let started = Started()
        return [SIGTERM, SIGINT].map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: armed)
            source.setEventHandler {
                guard started.first() else { return }
                armed.asyncAfter(deadline: .now() + .seconds(Int(limit.components.seconds))) {
                    let message =
                        "the stop has waited \(limit.components.seconds) s for work in flight that does not end (a target "
                        + "or source waiting on a lock another client holds, or not answering); exiting without it: the "
                        + "next start applies again what was in flight"
                    logger.critical("\(message)")
                    FileHandle.standardError.write(Data("scimsync run: \(message)\n".utf8))
                    // Not exit(3): its handlers would run beside threads still blocked in the
                    // clients' calls. What is committed is on disk; nothing else is kept.
                    _exit(1)
                }
            }
            source.resume()
            return source
        }
    }
}

/// Whether a stop signal came already.
private final class Started: Sendable {
    private let value = Mutex(false)

    /// True the first time only.
    func first() -> Bool {
        value.withLock { started in
            defer { started = true }
            return !started
        }
    }
}
