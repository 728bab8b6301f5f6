import FeedSource
import OffsetStore

/// `/admin/runs` and one feed run: the run log (daemon runs, first loads, reconciliations)
/// and a feed's runs with their counts, files, logs and the decisions held runs wait for.
extension AdminViews {
    /// What the runs page shows of one pipeline.
    struct RunsSection {
        var pipeline: String
        /// The newest runs of the run log, newest first.
        var runLog: [RunRecord]
        /// The newest feed runs, for a feed pipeline only.
        var feedRuns: [FeedRun]?
        /// The feed runs waiting for a person.
        var held: [FeedRun]
    }

    static func runs(_ sections: [RunsSection], pipelines: [String], chosen: String?, viewer: Viewer) -> HTML {
        let rendered = sections.map { section -> HTML in
            let name = section.pipeline
            let feed: HTML = section.feedRuns.map { feedRuns -> HTML in
                """
                <h3>Feed runs</h3>
                \(heldFeedRuns(section.held, pipeline: name, viewer: viewer))
                \(feedRunsTable(feedRuns, pipeline: name))
                """
            } ?? ""
            return """
                <section class="pipeline" id="runs-\(name)" aria-labelledby="runs-name-\(name)">
                <h2 id="runs-name-\(name)">\(name)</h2>
                <h3>Run log</h3>
                \(runLogTable(section.runLog))
                \(feed)
                </section>
                """
        }
        return layout(
            title: "Runs", current: "/admin/runs", viewer: viewer,
            """
            <form method="get" action="/admin/runs" class="search">
            <label for="pipeline">Pipeline<select id="pipeline" name="pipeline">\(HTML.options([("", "every pipeline")] + pipelines.map { ($0, $0) }, selected: chosen ?? ""))</select></label>
            <button type="submit">Show</button>
            </form>
            \(sections.isEmpty ? "<p>The configuration has no pipeline.</p>" as HTML : "\(rendered)")
            """)
    }

    /// What a run log kind is called on the page.
    static func runKind(_ kind: String) -> String {
        switch kind {
        case "run": "daemon run"
        case "load": "first load"
        case "reconcile": "reconciliation"
        default: kind
        }
    }

    static func runLogTable(_ runs: [RunRecord]) -> HTML {
        guard !runs.isEmpty else { return "<p>No run yet.</p>" }
        let rows = runs.map { run -> HTML in
            let total = run.ops.values.reduce(0, +)
            let ops: HTML = total == 0 ? "none" : "\(total) (\(opsText(run.ops)))"
            let outcome: HTML =
                switch (run.endedAt, run.error) {
                case (_, let error?): "<span class=\"bad\">failed: \(error)</span>"
                case (nil, nil): "running, or stopped by a crash"
                case (_?, nil): "<span class=\"ok\">ended</span>"
                }
            return """
                <tr><td>\(runKind(run.kind))</td><td>\(run.startedAt)</td><td>\(run.endedAt ?? "")</td><td>\(ops)</td><td>\(outcome)</td></tr>
                """
        }
        return """
            <table><thead><tr><th scope="col">Kind</th><th scope="col">Started</th><th scope="col">Ended</th>
            <th scope="col">Operations</th><th scope="col">Outcome</th></tr></thead><tbody>\(rows)</tbody></table>
            """
    }

    static func feedRunHref(_ pipeline: String, _ run: Int64) -> String {
        "/admin/feeds/\(pathSegment(pipeline))/runs/\(run)"
    }

    static func feedRunsTable(_ runs: [FeedRun], pipeline: String) -> HTML {
        guard !runs.isEmpty else { return "<p>No feed run yet.</p>" }
        let rows = runs.map { run -> HTML in
            let counts: HTML = run.counts.isEmpty ? "" : "\(opsText(run.counts))"
            let files: HTML =
                run.filesPruned
                ? "removed by retention"
                : "\(run.files.map { file -> HTML in "<a href=\"\(feedRunHref(pipeline, run.id))/files/\(pathSegment(file.name))\" download>\(file.name)</a> " })"
            return """
                <tr id="feed-run-\(Int(run.id))"><td><a href="\(feedRunHref(pipeline, run.id))">\(Int(run.id))</a></td>
                <td>\(stateText(run))</td><td>\(run.created)</td><td>\(run.startedBy)</td><td>\(run.approvedBy ?? "")</td>
                <td>\(counts)</td><td>\(Int(run.errors))</td><td>\(files)</td></tr>
                """
        }
        return """
            <table><thead><tr><th scope="col">Run</th><th scope="col">State</th><th scope="col">Uploaded</th>
            <th scope="col">By</th><th scope="col">Approved by</th><th scope="col">Counts</th><th scope="col">Problems</th>
            <th scope="col">Files</th></tr></thead><tbody>\(rows)</tbody></table>
            """
    }

    /// A feed run's state, with why it waits or failed.
    static func stateText(_ run: FeedRun) -> HTML {
        if run.isHeld { return "<span class=\"bad\">held</span>: \(run.holdReason ?? "")" }
        if let failure = run.failureReason, run.state == .failure {
            return "<span class=\"bad\">failure</span>: \(failure)"
        }
        let progress: HTML = run.state == .running ? " (\(Int(run.appliedThrough)) of \(Int(run.planned)) applied)" : ""
        return "\(run.state.rawValue)\(progress)"
    }

    /// The feed runs waiting for a person, each with Approve (apply) and Reject (cancel).
    static func heldFeedRuns(_ runs: [FeedRun], pipeline: String, viewer: Viewer) -> HTML {
        guard !runs.isEmpty else { return "" }
        let items = runs.map { run -> HTML in
            let action = feedRunHref(pipeline, run.id)
            return """
                <div class="hold" role="region" aria-label="Held feed run \(Int(run.id)) of \(pipeline)">
                <h3>Feed run <a href="\(action)">\(Int(run.id))</a> waits for a decision</h3>
                <p><strong>Reason:</strong> \(run.holdReason ?? "")</p>
                <p>Uploaded \(run.created) by \(run.startedBy); \(opsText(run.counts)).</p>
                <form method="post" action="\(action)/approve" class="inline">\(csrfField(viewer))
                <button type="submit" class="approve">Approve</button></form>
                <form method="post" action="\(action)/reject" class="inline">\(csrfField(viewer))
                <button type="submit" class="reject">Reject</button></form>
                <p><small><strong>Approve</strong> applies the run (as <code>scimsync feed apply</code>);
                <strong>Reject</strong> cancels it (as <code>scimsync feed cancel</code>): nothing of it is applied.
                Both are recorded with who decided.</small></p>
                </div>
                """
        }
        return "\(items)"
    }

    static func feedRun(_ run: FeedRun, pipeline: String, log: [FeedLogEntry], files: [String], viewer: Viewer) -> HTML {
        let href = feedRunHref(pipeline, run.id)
        let fileList: HTML =
            files.isEmpty
            ? (run.filesPruned ? "<p>Its files were removed by retention.</p>" : "<p>No file is kept for it.</p>")
            : "<ul>\(files.map { name -> HTML in "<li><a href=\"\(href)/files/\(pathSegment(name))\" download>\(name)</a></li>" })</ul>"
        let logRows = log.map { entry -> HTML in
            "<tr><td>\(entry.location)</td><td>\(entry.field ?? "")</td><td>\(entry.reason)</td></tr>"
        }
        let logTable: HTML =
            log.isEmpty
            ? "<p>Nothing was logged.</p>"
            : """
            <table><thead><tr><th scope="col">Where</th><th scope="col">Field</th><th scope="col">Problem</th></tr></thead>
            <tbody>\(logRows)</tbody></table>
            """
        return layout(
            title: "Feed run \(run.id) of \(pipeline)", current: nil, viewer: viewer,
            """
            <p class="links"><a href="\(link("/admin/runs", [("pipeline", pipeline)]))">All runs of \(pipeline)</a></p>
            <dl>
            <dt>State</dt><dd>\(stateText(run))</dd>
            <dt>Uploaded</dt><dd>\(run.created) by \(run.startedBy)</dd>
            <dt>Approved by</dt><dd>\(run.approvedBy ?? "nobody")</dd>
            <dt>Counts</dt><dd>\(run.counts.isEmpty ? "none yet" : opsText(run.counts))</dd>
            <dt>Planned</dt><dd>\(Int(run.planned)) changes, \(Int(run.appliedThrough)) applied</dd>
            <dt>Problems</dt><dd>\(Int(run.errors))</dd>
            </dl>
            \(heldFeedRuns(run.isHeld ? [run] : [], pipeline: pipeline, viewer: viewer))
            <h2>Files</h2>
            \(fileList)
            <h2>Log</h2>
            \(logTable)
            """)
    }
}
