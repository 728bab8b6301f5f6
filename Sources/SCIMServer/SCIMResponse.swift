import HTTPLimits
import Hummingbird
import SCIM

/// Responses in SCIM's media type (RFC 7644 §3.1: `application/scim+json`).
enum SCIMResponse {
    static let contentType = "application/scim+json"

    static func json(_ value: SCIMValue, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.contentType: contentType]
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: value.jsonBytes())))
    }

    /// A single resource, with its version as the ETag header (RFC 7644 §3.14).
    static func resource(_ resource: SCIMResource, status: HTTPResponse.Status = .ok, location: Bool = false) -> Response {
        var headers: HTTPFields = [:]
        let meta = resource.attributes["meta"]?.objectValue
        if let version = meta?["version"]?.stringValue { headers[.eTag] = version }
        if location, let url = meta?["location"]?.stringValue { headers[.location] = url }
        return json(.object(resource.attributes), status: status, headers: headers)
    }

    /// A SCIM error body for a request the HTTP decoder refused, before any route: RFC 7644
    /// §3.12's `invalidSyntax` for a 400 ("The request body message structure was invalid"),
    /// no `scimType` for the other statuses (431, 501, 408), for which RFC 7644 gives none.
    static let malformedRequest = MalformedRequestAnswer(contentType: contentType) { status, detail in
        let scimType: SCIMError.ScimType? = status == .badRequest ? .invalidSyntax : nil
        return SCIMError(status: status.code, scimType: scimType, detail: detail).json.jsonBytes()
    }

    static func error(_ error: SCIMError, headers: HTTPFields = [:]) -> Response {
        json(error.json, status: HTTPResponse.Status(code: error.status), headers: headers)
    }
}
