import Daemon
import FeedSource
import Foundation
import HTTPTypes
import Hummingbird
import OffsetStore

/// `/admin/runs` and `/admin/feeds/…`: the run log of each pipeline, its feed runs with their
/// logs and files, and the decisions on held feed runs.
extension AdminPage {
    /// How many runs of each kind a pipeline's section lists.
    static let runsListed = 20

    func runs(_ request: Request) throws -> Response {
        let query = formFields(request.uri.query ?? "")
        let chosen = query["pipeline"].flatMap { name in config.pipelines.contains { $0.name == name } ? name : nil }
        var sections: [AdminViews.RunsSection] = []
        for pipeline in config.pipelines where chosen == nil || pipeline.name == chosen {
            let site = feeds[pipeline.name]
            let feedRuns = try site.map { try $0.runs() }
            sections.append(
                AdminViews.RunsSection(
                    pipeline: pipeline.name, runLog: try store.runs(pipeline: pipeline.name, limit: Self.runsListed),
                    feedRuns: feedRuns.map { Array($0.prefix(Self.runsListed)) }, held: feedRuns?.filter(\.isHeld) ?? []))
        }
        return Self.page(
            .ok,
            AdminViews.runs(
                sections, pipelines: config.pipelines.map(\.name), chosen: chosen, viewer: viewer(request)))
    }

    func feedRun(_ request: Request, _ context: AdminRequestContext) throws -> Response {
        let viewer = viewer(request)
        let found = try feedRunNamed(context)
        guard case .found(let name, let site, let run) = found else { return found.answer(viewer) }
        return Self.page(
            .ok,
            AdminViews.feedRun(
                run, pipeline: name, log: try site.log(of: run.id), files: try site.fileNames(run: run.id), viewer: viewer))
    }

    /// One file of a feed run, as it was uploaded (the same file `GET /feeds/…/files/{name}`
    /// and `scimsync feed files` give).
    func download(_ request: Request, _ context: AdminRequestContext) async throws -> Response {
        let viewer = viewer(request)
        let found = try feedRunNamed(context)
        guard case .found(_, let site, let run) = found else { return found.answer(viewer) }
        let raw = context.parameters.get("name") ?? ""
        let file = raw.removingPercentEncoding ?? raw
        let path: String
        do {
            path = try site.filePath(run: run.id, name: file)
        } catch {
            return Self.page(.notFound, AdminViews.message("Not found", error.description, viewer: viewer))
        }
        let body = try await FileIO().loadFile(path: path, context: context)
        return Response(
            status: .ok,
            headers: [
                .contentType: "application/octet-stream", .cacheControl: "no-store",
                .contentDisposition: "attachment; filename*=UTF-8''\(pathSegment(file))",
                HTTPField.Name("X-Content-Type-Options")!: "nosniff",
            ], body: body)
    }

    /// Approve applies a held feed run (as `scimsync feed apply`), Reject cancels it (as
    /// `scimsync feed cancel`); either is recorded with who decided, beside the hold decisions.
    func decideFeedRun(_ request: Request, _ context: AdminRequestContext) async throws -> Response {
        let form = try await Self.form(request)
        if let refused = refusal(request, form) { return refused }
        let viewer = viewer(request)
        let found = try feedRunNamed(context)
        guard case .found(let name, let site, let run) = found else { return found.answer(viewer) }
        let decision: HoldDecision.Decision
        switch context.parameters.get("decision") {
        case "approve": decision = .approved
        case "reject": decision = .rejected
        default: return Self.page(.notFound, AdminViews.message("Not found", "No such decision.", viewer: viewer))
        }
        guard run.isHeld else {
            return Self.page(
                .conflict,
                AdminViews.message(
                    "Nothing to decide", "Run \(run.id) of \(name) is \(run.state.rawValue) and waits for no decision.",
                    viewer: viewer))
        }
        let by = "admin page (\(viewer.name))"
        do {
            switch decision {
            case .approved: try site.approve(run: run.id, by: by)
            case .rejected: try site.cancel(run: run.id)
            }
        } catch {
            return Self.page(.conflict, AdminViews.message("Not decided", error.description, viewer: viewer))
        }
        try store.recordDecision(decision, pipeline: name, subject: "feed run \(run.id)", by: by, reason: run.holdReason)
        logger.info(
            "admin page: feed run \(decision == .approved ? "approved" : "cancelled")",
            metadata: ["pipeline": "\(name)", "run": "\(run.id)", "by": "\(by)"])
        return Response(
            status: .seeOther, headers: [.location: link("/admin/runs", [("pipeline", name)]) + "#feed-run-\(run.id)"])
    }

    /// What a `…/feeds/{pipeline}/runs/{run}` path names.
    enum FeedRunLookUp {
        case found(pipeline: String, site: FeedSite, run: FeedRun)
        case missing(String)

        func answer(_ viewer: AdminViews.Viewer) -> Response {
            switch self {
            case .found: AdminPage.page(.ok, "")
            case .missing(let why): AdminPage.page(.notFound, AdminViews.message("Not found", why, viewer: viewer))
            }
        }
    }

    func feedRunNamed(_ context: AdminRequestContext) throws -> FeedRunLookUp {
        guard let pipeline = pipelineNamed(context.parameters.get("pipeline")), let site = feeds[pipeline.name] else {
            return .missing("No such feed pipeline.")
        }
        guard let text = context.parameters.get("run"), let id = Int64(text), let run = try site.run(id) else {
            return .missing("The feed \(pipeline.name) has no such run.")
        }
        return .found(pipeline: pipeline.name, site: site, run: run)
    }
}
