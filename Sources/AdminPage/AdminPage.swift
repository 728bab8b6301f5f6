import Config
import Daemon
import Directory
import FeedSource
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
/// | `GET /admin` | every pipeline: state with reason, position, lag, throughput, errors, parked and quarantined, last run and reconcile, hold |
/// | `POST /admin/pipelines/{name}/approve`, `…/reject` | decide a hold (CSRF token required) |
/// | `GET /admin/runs?pipeline=` | first loads, reconciliations, daemon runs and feed runs; held feed runs with their decisions |
/// | `GET /admin/feeds/{name}/runs/{run}` | one feed run: counts, files, log |
/// | `GET /admin/feeds/{name}/runs/{run}/files/{file}` | download one of its files |
/// | `POST /admin/feeds/{name}/runs/{run}/approve`, `…/reject` | apply or cancel a held feed run (CSRF token required) |
/// | `GET /admin/search?q=` | users and groups by id or userName in every pipeline |
/// | `GET /admin/users?pipeline=&by=userName\|id\|group&q=` | one user or group explained |
/// | `GET /admin/journal?pipeline=&kind=&origin=&outcome=&since=&until=&limit=&before=` | journal entries, newest first |
/// | `GET`, `POST /admin/login`, `POST /admin/logout` | the session cookie |
///
/// The admin server's middleware lets a request in with the bearer token or the page's
/// session cookie; the forms that change state also need the session's CSRF token.
public struct AdminPage: AdminRoutes {
    let config: ScimsyncConfig
    let store: OffsetStore
    let session: AdminSession
    let logger: Logger
    /// The daemon's metrics, read for lag, throughput and errors; nil where no pipeline runs.
    let metrics: DaemonMetrics?
    /// The feed of each feed pipeline, by pipeline name.
    let feeds: [String: FeedSite]
    /// Failed logins per client address (the form's and wrong bearer tokens).
    let limiter: LoginLimiter
    /// The limit the admin server's token middleware counts wrong bearer tokens into.
    public var loginLimit: LoginLimiter? { limiter }

    /// - Parameters:
    ///   - token: `http.token`, which logs in.
    ///   - store: the daemon's offset store, read for every page and written by decisions.
    ///   - metrics: the running pipelines' metrics (what `/metrics` serves).
    ///   - feeds: the feeds of the feed pipelines, whose runs the page lists and decides.
    public init(
        config: ScimsyncConfig, token: String, store: OffsetStore, metrics: DaemonMetrics? = nil,
        feeds: [String: FeedSite] = [:], logger: Logger
    ) {
        self.init(
            config: config, token: token, store: store, metrics: metrics, feeds: feeds, loginLimit: LoginLimiter(),
            logger: logger)
    }

    init(
        config: ScimsyncConfig, token: String, store: OffsetStore, metrics: DaemonMetrics?, feeds: [String: FeedSite],
        loginLimit: LoginLimiter, logger: Logger
    ) {
        self.config = config
        self.store = store
        session = AdminSession(token: token)
        self.metrics = metrics
        self.feeds = feeds
        limiter = loginLimit
        self.logger = logger
    }

    public func add(to router: Router<AdminRequestContext>) {
        login.add(to: router)
        router.get("admin") { request, _ in try pipelines(viewer(request)) }
        router.post("admin/pipelines/:pipeline/:decision") { request, context in
            try await decide(request, context)
        }
        router.get("admin/runs") { request, _ in try runs(request) }
        router.get("admin/feeds/:pipeline/runs/:run") { request, context in try feedRun(request, context) }
        router.get("admin/feeds/:pipeline/runs/:run/files/:name") { request, context in
            try await download(request, context)
        }
        router.post("admin/feeds/:pipeline/runs/:run/:decision") { request, context in
            try await decideFeedRun(request, context)
        }
        router.get("admin/search") { request, _ in try await search(request) }
        router.get("admin/users") { request, _ in try await users(request) }
        router.get("admin/journal") { request, _ in try journal(request) }
    }

    // MARK: Sessions

    var login: AdminLogin {
        AdminLogin(session: session, limit: limiter, home: "/admin", sections: AdminViews.runSections, logger: logger)
    }

    func viewer(_ request: Request) -> AdminViews.Viewer { login.viewer(request) }

    func refusal(_ request: Request, _ form: [String: String]) -> Response? { login.refusal(request, form) }

    /// The configured pipeline a path segment names (as sent, percent-encoded by the page, or
    /// as the router decoded it).
    func pipelineNamed(_ segment: String?) -> PipelineConfig? {
        guard let segment else { return nil }
        return [segment, segment.removingPercentEncoding ?? segment].lazy.compactMap { candidate in
            config.pipelines.first { $0.name == candidate }
        }.first
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
