import HTTPTypes
import NIOHTTP1

/// What a server answers to a request its HTTP/1 decoder refuses (a request line that is not
/// HTTP, a NUL in a header, a head over the decoder's 80 KiB): a status, a detail that names
/// the problem without repeating the client's bytes, and a body in the server's own format.
///
/// These requests never reach a route, so without this they would get an empty 400.
public struct MalformedRequestAnswer: Sendable {
    /// The body's media type.
    public var contentType: String
    /// The body for a status and a detail.
    public var body: @Sendable (_ status: HTTPResponse.Status, _ detail: String) -> [UInt8]

    public init(contentType: String, body: @escaping @Sendable (_ status: HTTPResponse.Status, _ detail: String) -> [UInt8]) {
        self.contentType = contentType
        self.body = body
    }

    /// The detail as a line of plain text.
    public static let plainText = MalformedRequestAnswer(contentType: "text/plain; charset=utf-8") { _, detail in
        Array((detail + "\n").utf8)
    }

    /// The status and detail for a decoder's error. A head larger than the decoder takes is
    /// a 431 (RFC 6585 §5: "the server is unwilling to process the request because its header
    /// fields are too large"), a method it does not know a 501, anything else a 400.
    public static func status(for error: HTTPParserError) -> (HTTPResponse.Status, String) {
        switch error {
        case .headerOverflow:
            return (
                .requestHeaderFieldsTooLarge,
                "the request line or header fields are larger than this server takes (80 KiB)"
            )
        case .invalidMethod:
            // RFC 9110 §9.1: "An origin server that receives a request method that is
            // unrecognized or not implemented SHOULD respond with the 501 (Not Implemented)
            // status code."
            return (.notImplemented, "the request's method is not one this server implements (RFC 9110 §9.1)")
        case .invalidURL:
            return (.badRequest, "the request line's target is not a valid URI (RFC 9112 §3.2)")
        case .invalidVersion:
            return (.badRequest, "the request line's version is not HTTP/1.x (RFC 9112 §2.3)")
        case .invalidHeaderToken, .invalidCharactersUsed:
            return (.badRequest, "a header field has a character HTTP does not allow there (RFC 9110 §5.5)")
        case .invalidContentLength, .unexpectedContentLength:
            return (.badRequest, "Content-Length is not valid for this request (RFC 9112 §6.3)")
        case .invalidChunkSize:
            return (.badRequest, "the chunked body is not valid chunked coding (RFC 9112 §7.1)")
        default:
            return (.badRequest, "the request is not valid HTTP/1.1 (RFC 9112)")
        }
    }
}
