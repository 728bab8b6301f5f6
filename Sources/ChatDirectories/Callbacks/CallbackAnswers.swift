import Connectors

extension CallbackAnswer {
    /// A JSON answer (`body` already encoded).
    static func json(_ body: [UInt8]) -> CallbackAnswer {
        CallbackAnswer(status: 200, contentType: "application/json; charset=utf-8", body: body)
    }

    /// A plain-text answer.
    static func text(_ body: [UInt8]) -> CallbackAnswer {
        CallbackAnswer(status: 200, contentType: "text/plain; charset=utf-8", body: body)
    }
}
