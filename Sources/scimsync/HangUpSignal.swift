import Dispatch
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// SIGHUP, whose default action ends the process at once (no clean stop, no log line): a
/// terminal that closes, or an operator expecting a reload. scimsync does not reload its
/// configuration, so the signal is logged and otherwise ignored.
enum HangUpSignal {
    /// Ignores SIGHUP from now on, with a log line each time; keep the returned source alive.
    static func ignore(logger: Logger) -> any DispatchSourceSignal {
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler {
            logger.notice(
                "SIGHUP received and ignored: scimsync does not reload its configuration; restart it to apply a changed one")
        }
        source.resume()
        return source
    }
}
