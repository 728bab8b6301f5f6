import Hummingbird
import HTTPTypes
import NIOCore

/// A request the feed routes refuse, with the status and a message that says what was wrong
/// and what to send instead. Answered as `{"error": "..."}`; never a 500 for a client's
/// mistake.
public struct FeedRequestError: Error, Sendable, Hashable, CustomStringConvertible, HTTPResponseError {
    public var status: HTTPResponse.Status
    public var message: String

    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { message }

    public var headers: HTTPFields { [.contentType: "application/json; charset=utf-8"] }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(
            status: status, headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: FeedJSON.encode(["error": message]) + [0x0A])))
    }
}

extension HTTPResponse.Status {
    /// 507 (RFC 4918 §11.5): the server cannot store what was sent (a full disk).
    static let insufficientStorage = HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage")
}
