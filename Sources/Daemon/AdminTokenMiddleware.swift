import HTTPLimits
import Hummingbird
import NIOCore

/// Requires `Authorization: Bearer <http.token>` (RFC 6750 §2.1) on every request of the admin
/// server but the open paths (`/healthz`, `/readyz`, `/metrics`, which probes and scrapers
/// call without a secret); answers 401 with `WWW-Authenticate: Bearer` and a JSON body
/// otherwise, before any route (or a 404) is reached.
///
/// The comparison takes the same time wherever the first difference is, so response timing
/// does not reveal how much of a guessed token was right.
///
/// With the admin page, paths under `/admin` also accept the page's signed session cookie
/// (and only they: the JSON routes take no cookie, so a browser cannot be made to call them);
/// `/admin/login` is open, and a browser without credentials is sent there.
struct AdminTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: [UInt8]
    let openPaths: Set<String>
    /// Set when the admin page is served.
    let session: AdminSession?
    /// Wrong bearer tokens per client address, shared with the page's login form.
    let limit: LoginLimiter
    /// Whether `/callbacks/…` is served (its requests are authenticated by their receiver).
    let callbacks: Bool

    init(
        token: String, openPaths: Set<String>, page: Bool = false, limit: LoginLimiter = LoginLimiter(),
        callbacks: Bool = false
    ) {
        self.token = Array(token.utf8)
        self.openPaths = openPaths
        self.callbacks = callbacks
        session = page ? AdminSession(token: token) : nil
        self.limit = limit
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let path = request.uri.path
        if openPaths.contains(path) { return try await next(request, context) }
        let onPage = path == "/admin" || path.hasPrefix("/admin/")
        // A platform's event callbacks carry its signature, not the admin token: their
        // receiver authenticates them.
        if callbacks && path.hasPrefix(CallbackRoute.prefix) { return try await next(request, context) }
        // A bearer token is a login: from an address that failed too often, it is refused
        // before it is compared; a wrong one counts as a failure.
        if let header = request.headers[.authorization] {
            let client = (context as? any RemoteAddressRequestContext)?.remoteAddress?.ipAddress ?? "unknown"
            if let wait = limit.retryAfter(client: client) {
                let detail = "too many requests with a wrong token from this address; try again in \(wait) seconds"
                // The API's answers are JSON; the admin page's are text.
                return Response(
                    status: .tooManyRequests,
                    headers: [
                        .retryAfter: String(wait),
                        .contentType: onPage ? "text/plain; charset=utf-8" : "application/json; charset=utf-8",
                    ],
                    body: .init(byteBuffer: ByteBuffer(string: onPage ? detail + "\n" : "{\"error\":\"\(detail)\"}\n")))
            }
            if !isBearer(header) { limit.failed(client: client) }
        }
        if let session, onPage {
            if path == AdminSession.loginPath || session.hasBearer(request) || session.session(of: request) != nil {
                return try await next(request, context)
            }
            if request.method == .get || request.method == .head {
                return Response(status: .seeOther, headers: [.location: AdminSession.loginPath])
            }
            return Response(
                status: .unauthorized, headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: "log in at \(AdminSession.loginPath) first\n")))
        }
        guard let header = request.headers[.authorization], isBearer(header) else {
            // The header says whether a token came, never what was wrong with it.
            let detail =
                request.headers[.authorization] == nil
                ? "send the admin token (http.token) as \\\"Authorization: Bearer <token>\\\""
                : "the Authorization header does not hold the admin token (http.token) as \\\"Bearer <token>\\\""
            return Response(
                status: .unauthorized,
                headers: [.wwwAuthenticate: "Bearer realm=\"scimsync\"", .contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: "{\"error\":\"\(detail)\"}\n")))
        }
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound && error.body == nil {
            // The router's own 404 (no route has the path) has no body; a bearer of the token
            // is told so in the API's format. A stranger never gets this far.
            return Response(
                status: .notFound, headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(
                    byteBuffer: ByteBuffer(
                        string: "{\"error\":\"no such path on this server: the API's paths start with /feeds\"}\n")))
        }
    }

    /// Whether `header` is `Bearer <http.token>` (RFC 6750 §2.1, compared in constant time).
    func isBearer(_ header: String) -> Bool {
        BearerCredentials.matches(header, token)
    }
}
