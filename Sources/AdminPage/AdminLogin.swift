import Daemon
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import SCIM

/// The login, logout and CSRF checks every admin page shares (`run`'s and `serve`'s): the
/// session cookie signed with `http.token`, failed logins limited per client address.
struct AdminLogin: Sendable {
    let session: AdminSession
    let limit: LoginLimiter
    /// Where a login leads.
    let home: String
    /// The sections the pages link to.
    let sections: [(path: String, label: String)]
    let logger: Logger

    func add(to router: Router<AdminRequestContext>) {
        router.get("admin/login") { _, _ in AdminPage.page(.ok, AdminViews.login(error: nil)) }
        router.post("admin/login") { request, context in try await login(request, context) }
        router.post("admin/logout") { request, _ in
            let form = try await AdminPage.form(request)
            if let refused = refusal(request, form) { return refused }
            if let current = session.session(of: request) { session.end(current) }
            return Response(
                status: .seeOther, headers: [.location: AdminSession.loginPath, .setCookie: AdminSession.endCookie])
        }
    }

    private func login(_ request: Request, _ context: AdminRequestContext) async throws -> Response {
        let client = context.remoteAddress?.ipAddress ?? "unknown"
        if let wait = limit.retryAfter(client: client) {
            logger.warning(
                "admin page: a login was refused: too many failed logins from its address", metadata: ["client": "\(client)"])
            var response = AdminPage.page(
                .tooManyRequests,
                AdminViews.login(error: "Too many failed logins from your address. Try again in \(wait) seconds."))
            response.headers[.retryAfter] = String(wait)
            return response
        }
        let form = try await AdminPage.form(request)
        guard let token = form["token"], session.isToken(token) else {
            limit.failed(client: client)
            // Never the token given, right or wrong.
            logger.warning("admin page: a login with a wrong token was refused", metadata: ["client": "\(client)"])
            return AdminPage.page(.unauthorized, AdminViews.login(error: "That is not the admin token."))
        }
        // The name shows in the journal, on pages and in logs: control and format characters
        // (line breaks, terminal escapes, bidirectional overrides) are dropped.
        var scalars = String.UnicodeScalarView()
        let typed = (form["name"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        scalars.append(contentsOf: typed.unicodeScalars.filter { !LogText.isLayoutControl($0) })
        let name = String(String(scalars).prefix(64))
        let started = session.start(name: name)
        logger.info("admin page: logged in", metadata: ["name": "\(LogText.safe(name))"])
        return Response(status: .seeOther, headers: [.location: home, .setCookie: started.setCookie])
    }

    /// Who sent `request`: the middleware let it in, so it has the session cookie or the token.
    func viewer(_ request: Request) -> AdminViews.Viewer {
        if let current = session.session(of: request) {
            return .init(
                name: current.name.isEmpty ? "logged in" : current.name, csrf: session.csrfToken(for: current), sections: sections)
        }
        return .init(name: "bearer of the token", csrf: "", sections: sections)
    }

    /// A 403 page unless `form` carries the CSRF token of the request's session (a request
    /// with the bearer token needs none: a browser does not add that header on its own).
    func refusal(_ request: Request, _ form: [String: String]) -> Response? {
        if session.hasBearer(request) { return nil }
        if let current = session.session(of: request), let token = form["csrf"], session.isCSRFToken(token, for: current) {
            return nil
        }
        logger.warning("admin page: a form without a valid CSRF token was refused", metadata: ["path": "\(request.uri.path)"])
        return AdminPage.page(
            .forbidden,
            AdminViews.message(
                "Refused", "The form did not carry this session's CSRF token. Reload the page and try again.", viewer: nil))
    }
}
