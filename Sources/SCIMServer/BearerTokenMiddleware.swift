import Hummingbird
import SCIM

/// Requires `Authorization: Bearer <token>` (RFC 6750 §2.1) on every request; answers 401
/// with `WWW-Authenticate` and a SCIM error body otherwise.
///
/// The comparison takes the same time wherever the first difference is, so response timing
/// does not reveal how much of a guessed token was right.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: [UInt8]

    init(token: String) {
        self.token = Array(token.utf8)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard let header = request.headers[.authorization], let presented = Self.credentials(header),
            Self.constantTimeEquals(presented, token)
        else {
            let error = SCIMError(status: 401, detail: "send the bearer token in the Authorization header")
            return SCIMResponse.error(error, headers: [.wwwAuthenticate: "Bearer realm=\"scimsync\""])
        }
        return try await next(request, context)
    }

    /// The token of a Bearer `Authorization` value: `credentials = "Bearer" 1*SP b64token`
    /// (RFC 6750 §2.1), the scheme's name in any case (RFC 9110 §11.1: "case-insensitive").
    static func credentials(_ header: String) -> [UInt8]? {
        let bytes = Array(header.utf8)
        let scheme = Array("bearer".utf8)
        guard bytes.count > scheme.count + 1, bytes[scheme.count] == UInt8(ascii: " ") else { return nil }
        for (index, letter) in scheme.enumerated() where bytes[index] | 0x20 != letter { return nil }
        let token = bytes[(scheme.count + 1)...].drop { $0 == UInt8(ascii: " ") }
        return token.isEmpty ? nil : Array(token)
    }

    /// Compares every byte whatever the earlier ones were; the length is not secret.
    static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices {
            difference |= a[index] ^ b[index]
        }
        return difference == 0
    }
}
