import Directory
import Foundation
import Inspection
import OffsetStore
import SCIM

/// The pages of the admin page as HTML. Every value from the store, a source or a target is
/// interpolated into an ``HTML`` literal, which escapes it.
enum AdminViews {
    /// Who is looking, as the pages show it, and the CSRF token their forms carry (empty for
    /// a bearer of the token, whose requests a browser does not send on its own).
    struct Viewer {
        var name: String
        var csrf: String
    }

    static func layout(title: String, current: String?, viewer: Viewer?, _ body: HTML) -> HTML {
        let links: [(path: String, label: String)] = [
            ("/admin", "Pipelines"), ("/admin/users", "Users and groups"), ("/admin/journal", "Journal"),
        ]
        let nav: HTML =
            viewer == nil
            ? ""
            : """
            <nav aria-label="Sections"><ul>\(links.map { item -> HTML in
                item.path == current
                    ? "<li><a href=\"\(item.path)\" aria-current=\"page\">\(item.label)</a></li>"
                    : "<li><a href=\"\(item.path)\">\(item.label)</a></li>"
            })</ul>
            <form method="post" action="/admin/logout" class="logout">\(csrfField(viewer))<span>\(viewer?.name ?? "")</span>
            <button type="submit">Log out</button></form></nav>
            """
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title) · scimsync</title><style>\(HTML(raw: css))</style></head>
            <body><header><p class="brand">scimsync</p>\(nav)</header>
            <main><h1>\(title)</h1>
            \(body)
            </main></body></html>
            """
    }

    static func csrfField(_ viewer: Viewer?) -> HTML {
        "<input type=\"hidden\" name=\"csrf\" value=\"\(viewer?.csrf ?? "")\">"
    }

    static let css = """
        body{font:16px/1.45 system-ui,sans-serif;color:#111;background:#fff;margin:0}
        header{background:#1f2933;color:#fff;padding:.5rem 1rem;display:flex;flex-wrap:wrap;align-items:center;gap:1rem}
        header a{color:#fff}.brand{font-weight:700;margin:0}
        nav{display:flex;flex-wrap:wrap;align-items:center;gap:1rem;flex:1}
        nav ul{display:flex;gap:1rem;list-style:none;margin:0;padding:0;flex:1}
        nav a[aria-current]{font-weight:700;text-decoration:none;border-bottom:2px solid #fff}
        .logout{display:flex;gap:.5rem;align-items:center}
        main{padding:1rem;max-width:72rem}
        a{color:#0b57d0}a:focus,button:focus,input:focus,select:focus{outline:3px solid #f59e0b;outline-offset:2px}
        section.pipeline{border:1px solid #9aa5b1;border-radius:4px;padding:0 1rem 1rem;margin:1rem 0}
        dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{font-weight:600}dd{margin:0}
        .hold{background:#fff4e5;border-left:4px solid #b54708;padding:.5rem 1rem}
        .ok{color:#146c2e}.bad{color:#b42318}
        button{font:inherit;padding:.3rem .8rem;border-radius:4px;border:1px solid #52606d;background:#f5f7fa;color:#111;cursor:pointer}
        button.approve{background:#146c2e;border-color:#146c2e;color:#fff}
        button.reject{background:#b42318;border-color:#b42318;color:#fff}
        header button{background:#fff}
        form.inline{display:inline}
        form.search{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:end}
        form.search label{display:flex;flex-direction:column;font-weight:600}
        input,select{font:inherit;padding:.25rem}
        table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #cbd2d9;padding:.25rem .5rem;text-align:left;vertical-align:top}
        pre{background:#f5f7fa;padding:.5rem;overflow:auto;white-space:pre-wrap}
        .error{background:#fde8e8;border-left:4px solid #b42318;padding:.5rem 1rem}
        """

    // MARK: Login

    static func login(error: String?) -> HTML {
        let message: HTML = error.map { "<p class=\"error\" role=\"alert\">\($0)</p>" } ?? ""
        return layout(
            title: "Log in", current: nil, viewer: nil,
            """
            \(message)
            <p>Give the admin token (<code>http.token</code> of the configuration). The page keeps a signed session
            cookie, never the token.</p>
            <form method="post" action="/admin/login" class="search">
            <label for="token">Admin token<input id="token" name="token" type="password" required autocomplete="current-password"></label>
            <label for="name">Your name (recorded with approvals)<input id="name" name="name" type="text" maxlength="64" autocomplete="name"></label>
            <button type="submit">Log in</button>
            </form>
            """)
    }

    // MARK: Pipelines

    static func pipelines(_ statuses: [PipelineStatus], decisions: [String: [HoldDecision]], viewer: Viewer) -> HTML {
        let sections = statuses.map { status -> HTML in
            let quarantined: HTML =
                status.quarantined.isEmpty
                ? "0"
                : """
                \(status.quarantined.count)<ul>\(status.quarantined.prefix(5).map { entry -> HTML in
                    "<li>\(entry.kind) \(entry.id): \(entry.reason) (since \(entry.since))</li>"
                })</ul>
                """
            let lastRun: HTML = status.lastRun.map { run -> HTML in
                let ended: HTML = run.endedAt.map { "ended \($0), \(run.ops.values.reduce(0, +)) operations" } ?? "not ended"
                let error: HTML = run.error.map { "; <span class=\"bad\">error: \($0)</span>" } ?? ""
                return "started \(run.startedAt), \(ended)\(error)"
            } ?? "none"
            return """
                <section class="pipeline" id="pipeline-\(status.name)" aria-labelledby="name-\(status.name)">
                <h2 id="name-\(status.name)">\(status.name)</h2>
                <dl>
                <dt>State</dt><dd>\(status.state)</dd>
                <dt>Position</dt><dd>\(status.positionText)</dd>
                <dt>Parked</dt><dd>\(status.parked) operations waiting for a row</dd>
                <dt>Quarantined</dt><dd>\(quarantined)</dd>
                <dt>Last run</dt><dd>\(lastRun)</dd>
                </dl>
                \(hold(status, decisions: decisions[status.name] ?? [], viewer: viewer))
                </section>
                """
        }
        return layout(
            title: "Pipelines", current: "/admin", viewer: viewer,
            statuses.isEmpty ? "<p>The configuration has no pipeline.</p>" : "\(sections)")
    }

    static func hold(_ status: PipelineStatus, decisions: [HoldDecision], viewer: Viewer) -> HTML {
        let history: HTML =
            decisions.isEmpty
            ? ""
            : """
            <h4>Decisions</h4><ul>\(decisions.map { decision -> HTML in
                "<li>\(decision.at): \(decision.decision.rawValue) by \(decision.by)</li>"
            })</ul>
            """
        guard let hold = status.hold else {
            return "<p>No hold.</p>\(history)"
        }
        let action = "/admin/pipelines/" + pathSegment(status.name)
        let approval: HTML =
            hold.approved
            ? "<p><strong>Approved:</strong> the next pass goes through once, whatever it removes.</p>"
            : "<p>Waiting for a decision.</p>"
        return """
            <div class="hold" role="region" aria-label="Hold of \(status.name)">
            <h3>Hold</h3>
            <p><strong>Reason:</strong> \(hold.reason)</p><p>Since \(hold.since).</p>
            \(approval)
            <form method="post" action="\(action)/approve" class="inline">\(csrfField(viewer))
            <button type="submit" class="approve">Approve</button></form>
            <form method="post" action="\(action)/reject" class="inline">\(csrfField(viewer))
            <button type="submit" class="reject">Reject</button></form>
            <p><small><strong>Approve</strong> lets the next pass through once (as <code>scimsync approve</code>).
            <strong>Reject</strong> keeps the hold and withdraws an approval not yet used: nothing beyond the limits is
            removed, and the pipeline stays held until a pass within the limits lifts it or someone approves.
            Both are recorded with who decided.</small></p>
            \(history)
            </div>
            """
    }

    // MARK: Users and groups

    static func search(
        pipelines: [String], pipeline: String?, by: String, query: String, result: HTML, viewer: Viewer
    ) -> HTML {
        layout(
            title: "Users and groups", current: "/admin/users", viewer: viewer,
            """
            <form method="get" action="/admin/users" class="search" role="search">
            <label for="pipeline">Pipeline<select id="pipeline" name="pipeline">\(HTML.options(pipelines.map { ($0, $0) }, selected: pipeline))</select></label>
            <label for="by">Find<select id="by" name="by">\(HTML.options([("userName", "user by userName"), ("id", "user by id"), ("group", "group by id")], selected: by))</select></label>
            <label for="q">Value<input id="q" name="q" type="search" value="\(query)" required></label>
            <button type="submit">Explain</button>
            </form>
            \(result)
            """)
    }

    static func explanation(_ explanation: Explanation) -> HTML {
        func side(_ resource: SCIMResource?, note: String?) -> HTML {
            if let note { return "<p>\(note)</p>" }
            guard let resource else { return "<p>No such resource.</p>" }
            return "<pre>\(SCIMValue.object(resource.attributes).jsonString(pretty: true))</pre>"
        }
        let agreement: HTML =
            switch explanation.differences {
            case nil: "unknown (a side could not be read)"
            case let differing? where differing.isEmpty: "<span class=\"ok\">yes</span>"
            case let differing?: "<span class=\"bad\">no</span>; differing: \(differing.joined(separator: ", "))"
            }
        let ownership: HTML =
            explanation.owned
            ? "created by scimsync: the pipeline updates and removes it"
            : "not created by scimsync: the pipeline leaves it alone unless <code>adopt: true</code>"
        let refused = explanation.quarantine.map { entry -> HTML in
            "<li>refused by the target since \(entry.since) (\(entry.count) times): \(entry.reason)</li>"
        }
        let parked = explanation.parked.map { operation -> HTML in
            "<li>parked since \(operation.since): \(operation.reason)</li>"
        }
        let problems: HTML = refused.isEmpty && parked.isEmpty ? "" : "<h3>Refused and parked</h3><ul>\(refused)\(parked)</ul>"
        return """
            <h2>\(explanation.kind.rawValue) \(explanation.id) in pipeline \(explanation.pipeline)</h2>
            <dl>
            <dt>Agree now</dt><dd>\(agreement)</dd>
            <dt>Ownership</dt><dd>\(ownership)</dd>
            </dl>
            <h3>Source now</h3>\(side(explanation.source, note: explanation.sourceNote))
            <h3>Target now</h3>\(side(explanation.target, note: explanation.targetNote))
            \(problems)
            <h3>Journal (newest first)</h3>
            \(journalTable(explanation.journal, showPipeline: false))
            """
    }

    // MARK: Journal

    static func journal(
        _ entries: [JournalEntry], pipelines: [String], pipeline: String?, outcome: String?, limit: Int, viewer: Viewer
    ) -> HTML {
        let outcomes = [("", "every outcome")] + JournalRecord.Outcome.allCases.map { ($0.rawValue, $0.rawValue) }
        return layout(
            title: "Journal", current: "/admin/journal", viewer: viewer,
            """
            <form method="get" action="/admin/journal" class="search">
            <label for="pipeline">Pipeline<select id="pipeline" name="pipeline">\(HTML.options([("", "every pipeline")] + pipelines.map { ($0, $0) }, selected: pipeline ?? ""))</select></label>
            <label for="outcome">Outcome<select id="outcome" name="outcome">\(HTML.options(outcomes, selected: outcome ?? ""))</select></label>
            <label for="limit">Entries<input id="limit" name="limit" type="number" min="1" max="1000" value="\(limit)"></label>
            <button type="submit">Filter</button>
            </form>
            <p>The newest \(entries.count) entries.</p>
            \(journalTable(entries, showPipeline: true))
            """)
    }

    static func journalTable(_ entries: [JournalEntry], showPipeline: Bool) -> HTML {
        guard !entries.isEmpty else { return "<p>No operation recorded.</p>" }
        let rows = entries.map { entry -> HTML in
            let record = entry.record
            let by = record.kind == .group ? "group" : "id"
            let href = link("/admin/users", [("pipeline", entry.pipeline), ("by", by), ("q", record.id)])
            let pipelineCell: HTML = showPipeline ? "<td>\(entry.pipeline)</td>" : ""
            return """
                <tr><td>\(entry.at)</td>\(pipelineCell)<td>\(entry.origin)</td><td>\(entry.position ?? "")</td>
                <td>\(record.kind.rawValue) <a href="\(href)">\(record.id)</a></td><td>\(record.action)\(record.relatedID.map { " \($0)" } ?? "")</td>
                <td>\(record.attributes.joined(separator: ", "))</td><td>\(record.outcome.rawValue)</td><td>\(record.reason ?? "")</td></tr>
                """
        }
        let pipelineHead: HTML = showPipeline ? "<th scope=\"col\">Pipeline</th>" : ""
        return """
            <table><thead><tr><th scope="col">At</th>\(pipelineHead)<th scope="col">Origin</th><th scope="col">Source position</th>
            <th scope="col">Resource</th><th scope="col">Operation</th><th scope="col">Attributes</th><th scope="col">Outcome</th>
            <th scope="col">Reason</th></tr></thead><tbody>\(rows)</tbody></table>
            """
    }

    static func message(_ title: String, _ text: String, viewer: Viewer?) -> HTML {
        layout(title: title, current: nil, viewer: viewer, "<p class=\"error\" role=\"alert\">\(text)</p>")
    }
}
