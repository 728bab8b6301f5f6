import HTTPLimits
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
        guard let header = request.headers[.authorization], BearerCredentials.matches(header, token) else {
            let error = SCIMError(status: 401, detail: "send the bearer token in the Authorization header")
            return SCIMResponse.error(error, headers: [.wwwAuthenticate: "Bearer realm=\"scimsync\""])
        }
        return try await next(request, context)
    }
}
