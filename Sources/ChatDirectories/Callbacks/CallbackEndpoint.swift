import Connectors

/// A platform's rules for its callback requests: checks a request's signature, decrypts it,
/// answers the platform's URL check, and reads the contact events it carries. Pure: no I/O.
public protocol CallbackEndpoint: Sendable {
    /// The events of `request` and the answer the platform expects.
    /// - Throws: ``CallbackRefusal`` for a request that does not verify or cannot be read.
    func open(_ request: CallbackRequest) throws(CallbackRefusal) -> OpenedCallback
}

extension DingTalkCallbackEndpoint: CallbackEndpoint {}
extension WeComCallbackEndpoint: CallbackEndpoint {}
extension FeishuCallbackEndpoint: CallbackEndpoint {}
