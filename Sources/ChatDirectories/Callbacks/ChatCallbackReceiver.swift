import Connectors
import Logging

/// A platform's callback URL: opens each request by the platform's rules (signature,
/// decryption, its URL check) and hands the events to the pipeline's stream, which fetches and
/// applies them; the answer goes back at once, whatever the fetch will find.
public struct ChatCallbackReceiver: CallbackReceiver {
    /// `DingTalk`, `WeCom`, `Feishu`, for logs.
    let platform: String
    let endpoint: any CallbackEndpoint
    let deliver: @Sendable ([PlatformEvent]) -> CallbackDelivery
    let logger: Logger

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
            logger.warning(
                "\(platform) callback refused", metadata: ["status": "\(error.status)", "reason": "\(error.reason)"])
            return .refusal(error.status, error.reason + "\n")
        }
    }
}
