import Daemon
import FeedSource
import Hummingbird
import Inspection
import OffsetStore

/// `/admin` and the decisions on its holds.
extension AdminPage {
    func pipelines(_ viewer: AdminViews.Viewer) throws -> Response {
        let statuses = try PipelineStatus.all(config, store: store)
        let readings = metrics?.readings() ?? [:]
        var sections: [AdminViews.PipelineSection] = []
        for status in statuses {
            let held = try feeds[status.name].map { try heldRuns($0) } ?? []
            sections.append(
                AdminViews.PipelineSection(
                    status: status, readings: readings[status.name],
                    lastReconcile: try store.runs(pipeline: status.name, kind: "reconcile", limit: 1).first,
                    decisions: try store.holdDecisions(pipeline: status.name, limit: 5),
                    heldFeedRuns: held))
        }
        return Self.page(.ok, AdminViews.pipelines(sections, viewer: viewer))
    }

    /// The runs of `site` that wait for a person: read and held by the safety rule, neither
    /// approved nor cancelled yet.
    func heldRuns(_ site: FeedSite) throws -> [FeedRun] {
        try site.runs().filter(\.isHeld)
    }

    func decide(_ request: Request, _ context: AdminRequestContext) async throws -> Response {
        let form = try await Self.form(request)
        if let refused = refusal(request, form) { return refused }
        let viewer = viewer(request)
        guard let name = pipelineNamed(context.parameters.get("pipeline"))?.name else {
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
}

extension FeedRun {
    /// Read, held by the safety rule, and neither approved nor cancelled yet.
    var isHeld: Bool { state == .ready && holdReason != nil && approvedBy == nil }
}
