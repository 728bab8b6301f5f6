import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Bounds how long one HTTP/1 request may take to arrive, and stops reading a body nobody
/// will use:
/// - **headers**: from the first bytes of a request to its complete head, at most
///   `headerTimeout` (a client sending its headers a byte at a time holds a connection
///   for ever otherwise);
/// - **body**: from the head to the end of the body, at most `bodyTimeout`;
/// - **early answers**: a response written before the request's body was read in full (a 401
///   or 413 sent at the head), or a 401 or 413 to a request with a body, closes the
///   connection after it is sent, with `Connection: close`; otherwise the server would go on
///   reading, and discarding, whatever the client still sends (200 MiB, unauthenticated).
///
/// - **clients that leave**: a client that closes its side of the connection is recorded in
///   ``ClientInput``, so that work for its request can stop.
///
/// A connection waiting for its next request is bounded by the server's idle timeout, not here.
/// The handler sits after the HTTP/1 codec: it sees request parts, and `channelReadComplete`
/// for every socket read, which tells it that bytes of a head have begun to arrive.
final class RequestTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private enum Phase {
        /// Between requests: the next head has not begun (the idle timeout's time).
        case waitingForHead
        /// Bytes came, the head is not complete yet.
        case readingHead
        /// The head came; the body's end has not.
        case readingBody(hasBody: Bool)
        /// The whole request was read; its response is being made.
        case answering(hasBody: Bool)
    }

    private let headerTimeout: TimeAmount
    private let bodyTimeout: TimeAmount
    private var phase = Phase.waitingForHead
    private var timer: Scheduled<Void>?
    private var closeAfterResponse = false

    init(headerTimeout: TimeAmount, bodyTimeout: TimeAmount) {
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimer()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimer()
        ClientInput.forget(context.channel)
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            ClientInput.markClosed(context.channel)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            cancelTimer()
            let hasBody = Self.hasBody(head)
            phase = .readingBody(hasBody: hasBody)
            schedule(bodyTimeout, context: context)
        case .body:
            break
        case .end:
            cancelTimer()
            if case .readingBody(let hasBody) = phase { phase = .answering(hasBody: hasBody) }
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if case .waitingForHead = phase {
            // Bytes arrived and made no head yet: the head's clock starts.
            phase = .readingHead
            schedule(headerTimeout, context: context)
        }
        context.fireChannelReadComplete()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var response):
            closeAfterResponse = shouldClose(after: response.status)
            if closeAfterResponse {
                response.headerFields[.connection] = "close"
                context.write(wrapOutboundOut(.head(response)), promise: promise)
            } else {
                context.write(data, promise: promise)
            }
        case .body:
            context.write(data, promise: promise)
        case .end:
            if closeAfterResponse {
                cancelTimer()
                let channel = context.channel
                let written = context.writeAndFlush(data)
                written.cascade(to: promise)
                written.whenComplete { _ in channel.close(promise: nil) }
                return
            }
            if case .answering = phase { phase = .waitingForHead }
            context.write(data, promise: promise)
        }
    }

    private func shouldClose(after status: HTTPResponse.Status) -> Bool {
        switch phase {
        case .readingBody:
            // Answered before the body was read in full: stop reading it.
            return true
        case .answering(let hasBody):
            return hasBody && (status == .unauthorized || status == .contentTooLarge)
        case .waitingForHead, .readingHead:
            return false
        }
    }

    private func schedule(_ timeout: TimeAmount, context: ChannelHandlerContext) {
        cancelTimer()
        let channel = context.channel
        timer = context.eventLoop.scheduleTask(in: timeout) {
            channel.close(promise: nil)
        }
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
    }

    private static func hasBody(_ head: HTTPRequest) -> Bool {
        if head.headerFields[.transferEncoding] != nil { return true }
        guard let length = head.headerFields[.contentLength] else { return false }
        return length != "0"
    }
}
