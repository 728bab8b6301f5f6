import Config
import Daemon
import Directory
import Foundation
import HTTPTypes
import Hummingbird
import Inspection
import Logging
import NIOCore
import NIOPosix
import OffsetStore

/// The admin page of `scimsync run`: server-rendered HTML, no script.
///
/// | path | what it shows or does |
/// | --- | --- |
/// | `GET /admin` | every pipeline: state with reason, position, parked and quarantined, last run and reconcile, hold |
/// | `POST /admin/pipelines/{name}/approve`, `…/reject` | decide a hold (CSRF token required) |
/// | `GET /admin/users?pipeline=&by=userName\|id\|group&q=` | one user or group explained |
/// | `GET /admin/journal?pipeline=&outcome=&limit=` | the newest journal entries |
/// | `GET`, `POST /admin/login`, `POST /admin/logout` | the session cookie |
///
/// The admin server's middleware lets a request in with the bearer token or the page's
/// session cookie; the forms that change state also need the session's CSRF token.
public struct AdminPage: AdminRoutes {
    let config: ScimsyncConfig
    let store: OffsetStore
    let session: AdminSession
    let logger: Logger

    /// - Parameters:
    ///   - token: `http.token`, which logs in.
    ///   - store: the daemon's offset store, read for every page and written by decisions.
    public init(config: ScimsyncConfig, token: String, store: OffsetStore, logger: Logger) {
        self.config = config
        self.store = store
        session = AdminSession(token: token)
        self.logger = logger
    }

    public func add(to router: Router<BasicRequestContext>) {
        router.get("admin/login") { _, _ in Self.page(.ok, AdminViews.login(error: nil)) }
        router.post("admin/login") { request, _ in try await login(request) }
        router.post("admin/logout") { request, _ in
            let form = try await Self.form(request)
            if let refused = refusal(request, form) { return refused }
            return Response(
                status: .seeOther, headers: [.location: AdminSession.loginPath, .setCookie: AdminSession.endCookie])
        }
        router.get("admin") { request, _ in try pipelines(viewer(request)) }
        router.post("admin/pipelines/:pipeline/:decision") { request, context in
            try await decide(request, context)
        }
        router.get("admin/users") { request, _ in try await users(request) }
        router.get("admin/journal") { request, _ in try journal(request) }
    }

    // MARK: Sessions

    private func login(_ request: Request) async throws -> Response {
        let form = try await Self.form(request)
        guard let token = form["token"], session.isToken(token) else {
            // Never the token given, right or wrong.
            logger.warning("admin page: a login with a wrong token was refused")
            return Self.page(.unauthorized, AdminViews.login(error: "That is not the admin token."))
        }
        let name = String((form["name"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines).prefix(64))
        let started = session.start(name: name)
        logger.info("admin page: logged in", metadata: ["name": "\(name)"])
        return Response(status: .seeOther, headers: [.location: "/admin", .setCookie: started.setCookie])
    }

    /// Who sent `request`: the middleware let it in, so it has the session cookie or the token.
    private func viewer(_ request: Request) -> AdminViews.Viewer {
        if let current = session.session(of: request) {
            return .init(name: current.name.isEmpty ? "logged in" : current.name, csrf: session.csrfToken(for: current))
        }
        return .init(name: "bearer of the token", csrf: "")
    }

    /// A 403 page unless `form` carries the CSRF token of the request's session (a request
    /// with the bearer token needs none: a browser does not add that header on its own).
    private func refusal(_ request: Request, _ form: [String: String]) -> Response? {
        if session.hasBearer(request) { return nil }
        if let current = session.session(of: request), let token = form["csrf"], session.isCSRFToken(token, for: current) {
            return nil
        }
        logger.warning("admin page: a form without a valid CSRF token was refused", metadata: ["path": "\(request.uri.path)"])
        return Self.page(
            .forbidden,
            AdminViews.message(
                "Refused", "The form did not carry this session's CSRF token. Reload the page and try again.", viewer: nil))
    }

    // MARK: Pages

    private func pipelines(_ viewer: AdminViews.Viewer) throws -> Response {
        let statuses = try PipelineStatus.all(config, store: store)
        var decisions: [String: [HoldDecision]] = [:]
        var reconciles: [String: RunRecord] = [:]
        for status in statuses {
            decisions[status.name] = try store.holdDecisions(pipeline: status.name, limit: 5)
            reconciles[status.name] = try store.runs(pipeline: status.name, kind: "reconcile", limit: 1).first
        }
        return Self.page(.ok, AdminViews.pipelines(statuses, reconciles: reconciles, decisions: decisions, viewer: viewer))
    }

    private func decide(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let form = try await Self.form(request)
        if let refused = refusal(request, form) { return refused }
        let viewer = viewer(request)
        // The segment as sent (percent-encoded by the page) or as the router decoded it.
        let segment = context.parameters.get("pipeline") ?? ""
        guard let name = [segment, segment.removingPercentEncoding ?? segment].first(where: { candidate in
            config.pipelines.contains { $0.name == candidate }
        }) else {
            return Self.page(.notFound, AdminViews.message("Not found", "No such pipeline.", viewer: viewer))
        }
        let by = "admin page (\(viewer.name))"
        switch context.parameters.get("decision") {
        case "approve":
            try store.approve(pipeline: name, by: by)
            logger.info("admin page: hold approved", metadata: ["pipeline": "\(name)", "by": "\(by)"])
        case "reject":
            guard try store.hold(pipeline: name) != nil else {
                return Self.page(.conflict, AdminViews.message("Nothing to reject", "\(name) is not held.", viewer: viewer))
            }
            try store.reject(pipeline: name, by: by)
            logger.info("admin page: hold rejected", metadata: ["pipeline": "\(name)", "by": "\(by)"])
        default:
            return Self.page(.notFound, AdminViews.message("Not found", "No such decision.", viewer: viewer))
        }
        return Response(status: .seeOther, headers: [.location: "/admin#pipeline-\(pathSegment(name))"])
    }

    private func users(_ request: Request) async throws -> Response {
        let viewer = viewer(request)
        let query = formFields(request.uri.query ?? "")
        let names = config.pipelines.map(\.name)
        let by = query["by"].flatMap { ["userName", "id", "group"].contains($0) ? $0 : nil } ?? "userName"
        let value = (query["q"] ?? "").trimmingCharacters(in: .whitespaces)
        let chosen = query["pipeline"] ?? names.first
        func answer(_ status: HTTPResponse.Status, _ result: HTML) -> Response {
            Self.page(
                status,
                AdminViews.search(pipelines: names, pipeline: chosen, by: by, query: value, result: result, viewer: viewer))
        }
        guard !value.isEmpty else { return answer(.ok, "") }
        guard let pipeline = config.pipelines.first(where: { $0.name == chosen }) else {
            return answer(.notFound, "<p class=\"error\" role=\"alert\">No such pipeline.</p>")
        }
        let subject: ExplainSubject =
            switch by {
            case "id": .user(id: value)
            case "group": .group(id: value)
            default: .userName(value)
            }
        do {
            // Reads the source and the target databases: blocking I/O, off the cooperative pool.
            let explanation = try await NIOThreadPool.singleton.runIfActive { [store] in
                try Explanation.lookUp(subject, in: pipeline, store: store)
            }
            return answer(.ok, AdminViews.explanation(explanation))
        } catch let error as ExplainError {
            return answer(.notFound, "<p class=\"error\" role=\"alert\">\(error.description)</p>")
        } catch {
            logger.error("admin page: explain failed", metadata: ["pipeline": "\(pipeline.name)", "error": "\(error)"])
            return answer(
                .internalServerError, "<p class=\"error\" role=\"alert\">Cannot explain it: \(String(describing: error))</p>")
        }
    }

    private func journal(_ request: Request) throws -> Response {
        let query = formFields(request.uri.query ?? "")
        let names = config.pipelines.map(\.name)
        let pipeline = query["pipeline"].flatMap { names.contains($0) ? $0 : nil }
        let outcome = query["outcome"].flatMap(JournalRecord.Outcome.init(rawValue:))
        let limit = min(max(Int(query["limit"] ?? "") ?? 100, 1), 1000)
        let entries = try store.journal(pipeline: pipeline, outcome: outcome, limit: limit)
        return Self.page(
            .ok,
            AdminViews.journal(
                entries, pipelines: names, pipeline: pipeline, outcome: outcome?.rawValue, limit: limit,
                viewer: viewer(request)))
    }

    // MARK: HTTP

    /// The largest form body read (a login or a decision is a few hundred bytes).
    static let maxFormBytes = 16 * 1024

    static func form(_ request: Request) async throws -> [String: String] {
        let body = try await request.body.collect(upTo: maxFormBytes)
        return formFields(String(buffer: body))
    }

    static let securityHeaders: [(HTTPField.Name, String)] = [
        (.contentType, "text/html; charset=utf-8"),
        (.cacheControl, "no-store"),
        // Inline style only, no script, no framing (a framed Approve button could be clicked
        // by a page the operator did not mean to trust).
        (
            HTTPField.Name("Content-Security-Policy")!,
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
        ),
        (HTTPField.Name("X-Frame-Options")!, "DENY"),
        (HTTPField.Name("Referrer-Policy")!, "no-referrer"),
        (HTTPField.Name("X-Content-Type-Options")!, "nosniff"),
    ]

    static func page(_ status: HTTPResponse.Status, _ html: HTML) -> Response {
        var headers = HTTPFields()
        for (name, value) in securityHeaders { headers[name] = value }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html.text)))
    }
}
