import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Gives a request that the HTTP/1 decoder refuses a real answer: the status and body of a
/// ``MalformedRequestAnswer`` instead of the server's empty 400.
///
/// The decoder's error passes through on its way to the server, which answers it with a
/// `400`, `Content-Length: 0` and `Connection: close` once it has finished any response in
/// progress; the handler keeps the error and writes its own answer in place of that one. An
/// error inside a request's body reaches the route reading it instead, and that route's
/// answer (it has a body) goes out unchanged.
///
/// The server then closes its sending side and the decoder discards whatever else comes;
/// the connection closes when the client closes its side or the idle timeout passes. Closing
/// at once, with the client's unread bytes still queued, would reset the connection, and a
/// reset can discard the answer before the client reads it (RFC 9112 §9.6).
///
/// The handler sits after the HTTP/1 codec, with ``RequestTimeoutHandler``.
final class MalformedRequestHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let answer: MalformedRequestAnswer
    /// The decoder's error, once it came.
    private var parseError: HTTPParserError?
    /// The body to write in place of the server's empty one, between its head and its end.
    private var replacementBody: [UInt8]?

    init(answer: MalformedRequestAnswer) {
        self.answer = answer
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? HTTPParserError, parseError == nil {
            parseError = error
        }
        context.fireErrorCaught(error)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let response):
            guard let parseError, response.status == .badRequest, response.headerFields[.contentLength] == "0" else {
                context.write(data, promise: promise)
                return
            }
            let (status, detail) = MalformedRequestAnswer.status(for: parseError)
            let body = answer.body(status, detail)
            var replaced = HTTPResponse(status: status)
            replaced.headerFields = response.headerFields
            replaced.headerFields[.contentType] = answer.contentType
            replaced.headerFields[.contentLength] = String(body.count)
            replaced.headerFields[.connection] = "close"
            replacementBody = body
            context.write(wrapOutboundOut(.head(replaced)), promise: promise)
        case .body:
            // The empty answer has no body parts; any other answer's pass unchanged.
            context.write(data, promise: promise)
        case .end:
            guard let body = replacementBody else {
                context.write(data, promise: promise)
                return
            }
            replacementBody = nil
            context.write(wrapOutboundOut(.body(context.channel.allocator.buffer(bytes: body))), promise: nil)
            context.write(data, promise: promise)
        }
    }
}
