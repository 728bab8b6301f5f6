import Connectors
import Logging
import Synchronization

/// A platform's callback URL: opens each request by the platform's rules (signature,
/// decryption, its URL check) and hands the events to the pipeline's stream, which fetches and
/// applies them; the answer goes back at once, whatever the fetch will find.
public struct ChatCallbackReceiver: CallbackReceiver {
    /// `DingTalk`, `WeCom`, `Feishu`, for logs.
    let platform: String
    let endpoint: any CallbackEndpoint
    let deliver: @Sendable ([PlatformEvent]) -> CallbackDelivery
    let logger: Logger
    /// Refusals are logged a few a minute: anyone on the internet can send them, and a line
    /// each would let them fill the log (and its disk).
    private let refusalLog = RefusalLog()

    /// - Parameters:
    ///   - endpoint: the platform's rules (``DingTalkCallbackEndpoint`` …).
    ///   - deliver: where the events go (the stream's inbox).
    public init(
        platform: String, endpoint: any CallbackEndpoint, deliver: @escaping @Sendable ([PlatformEvent]) -> CallbackDelivery,
        logger: Logger
    ) {
        self.platform = platform
        self.endpoint = endpoint
        self.deliver = deliver
        self.logger = logger
    }

    public func receive(_ request: CallbackRequest) async -> CallbackAnswer {
        do throws(CallbackRefusal) {
            let opened = try endpoint.open(request)
            var answer = opened.answer
            if !opened.events.isEmpty {
                answer.delivery = deliver(opened.events)
                logger.debug(
                    "\(platform) callback received",
                    metadata: [
                        "events": "\(opened.events.count)", "types": "\(Set(opened.events.map(\.type)).sorted().joined(separator: ","))",
                    ])
            }
            return answer
        } catch {
            // The reason names no secret and quotes the sender's text escaped (the endpoint's
            // rule): what an operator needs to see a misconfigured key or a stranger.
            switch refusalLog.admit(now: ContinuousClock.now) {
            case .log(let notLogged):
                if notLogged > 0 {
                    logger.warning(
                        "\(platform) callbacks refused and not logged in the last minute", metadata: ["count": "\(notLogged)"])
                }
                logger.warning(
                    "\(platform) callback refused", metadata: ["status": "\(error.status)", "reason": "\(error.reason)"])
            case .quiet:
                break
            }
            return .refusal(error.status, error.reason + "\n")
        }
    }
}

/// At most ``perMinute`` lines a minute; the count of those left out is told with the next
/// line logged.
final class RefusalLog: Sendable {
    static let perMinute = 10

    enum Decision: Equatable {
        /// Log this one, after saying how many were left out before it.
        case log(notLogged: Int)
        case quiet
    }

    private struct State {
        var windowStart: ContinuousClock.Instant?
        var logged = 0
        var notLogged = 0
    }

    private let state = Mutex(State())

    func admit(now: ContinuousClock.Instant) -> Decision {
        state.withLock { state in
            if let start = state.windowStart, now - start < .seconds(60) {
                guard state.logged < Self.perMinute else {
                    state.notLogged += 1
                    return .quiet
                }
                state.logged += 1
                return .log(notLogged: 0)
            }
            let left = state.notLogged
            state = State(windowStart: now, logged: 1, notLogged: 0)
            return .log(notLogged: left)
        }
    }
}
