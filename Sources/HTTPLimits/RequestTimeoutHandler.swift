import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Bounds how long one HTTP/1 request may take to arrive, and stops reading a body nobody
/// will use:
/// - **headers**: from the first bytes of a request to its complete head, at most
///   `headerTimeout` (a client sending its headers a byte at a time holds a connection
///   for ever otherwise);
/// - **body**: from the head to the end of the body, at most `bodyTimeout`; a request whose
///   body is late is answered 408 (RFC 9110 §15.5.9: "the server did not receive a complete
///   request message within the time that it was prepared to wait"), with `Connection: close`,
///   unless its response has begun; a late head just closes the connection, as no request is
///   there to answer;
/// - **early answers**: a response written before the request's body was read in full (a 401
///   or 413 sent at the head), or a 401 or 413 to a request with a body, closes the
///   connection after it is sent, with `Connection: close`; otherwise the server would go on
///   reading, and discarding, whatever the client still sends (200 MiB, unauthenticated).
///
/// - **clients that leave**: a client that closes its side of the connection is recorded in
///   ``ClientInput``, so that work for its request can stop.
///
/// - **silent connections**: a new connection's first head must be complete within
///   `headerTimeout` of the connection, so that connections that never send a byte do not
///   hold the server's connection slots for its idle timeout (256 of them kept `/healthz`
///   from answering for a minute).
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
    /// The 408's body, in the server's own format.
    private let answer: MalformedRequestAnswer
    private var phase = Phase.waitingForHead
    private var timer: Scheduled<Void>?
    private var closeAfterResponse = false
    /// A response's head went out and its end has not.
    private var responding = false
    /// The 408 went out: the connection is closing, and nothing else may be written.
    private var timedOut = false

    init(headerTimeout: TimeAmount, bodyTimeout: TimeAmount, answer: MalformedRequestAnswer = .plainText) {
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.answer = answer
    }

    /// Whether the first head's clock has started (at the connection).
    private var connected = false

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { startFirstHead(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        startFirstHead(context: context)
        context.fireChannelActive()
    }

    /// The first request's head is due `headerTimeout` after the connection.
    private func startFirstHead(context: ChannelHandlerContext) {
        guard !connected, case .waitingForHead = phase else { return }
        connected = true
        phase = .readingHead
        schedule(headerTimeout, context: context)
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
        guard !timedOut else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        switch unwrapOutboundIn(data) {
        case .head(var response):
            responding = true
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
            responding = false
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
        // On the channel's event loop, as every call of the handler is.
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            self.expire(context: context)
        }
    }

    /// The head or the body is late: closes the connection, after a 408 when a request's
    /// body is what did not come and nothing of its response went out yet.
    private func expire(context: ChannelHandlerContext) {
        timer = nil
        let channel = context.channel
        guard case .readingBody = phase, !responding else {
            channel.close(promise: nil)
            return
        }
        let seconds = bodyTimeout.nanoseconds / 1_000_000_000
        let body = answer.body(
            .requestTimeout, "the request's body did not arrive in full within the server's body timeout (\(seconds) s)")
        var head = HTTPResponse(status: .requestTimeout)
        head.headerFields[.contentType] = answer.contentType
        head.headerFields[.contentLength] = String(body.count)
        head.headerFields[.connection] = "close"
        timedOut = true
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(context.channel.allocator.buffer(bytes: body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
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
