import Directory
import Foundation
import OffsetStore

/// `/admin/journal`: the newest entries, filtered by pipeline, kind, origin, outcome and time,
/// a bounded page at a time.
extension AdminViews {
    /// The journal page's filters as the form shows them.
    struct JournalForm {
        static let origins = ["stream", "load", "reconcile", "feed"]

        var pipeline: String?
        var kind: ResourceKind?
        var origin: String?
        var outcome: JournalRecord.Outcome?
        /// As typed, and as read (UTC).
        var since: (text: String, date: Date)?
        var until: (text: String, date: Date)?
        var limit = 100
        /// The sequence number the page starts below (an "older" page).
        var before: Int64?

        /// The query of these filters, without the page's start.
        var query: [(String, String)] {
            var fields: [(String, String)] = []
            if let pipeline { fields.append(("pipeline", pipeline)) }
            if let kind { fields.append(("kind", kind.rawValue)) }
            if let origin { fields.append(("origin", origin)) }
            if let outcome { fields.append(("outcome", outcome.rawValue)) }
            if let since { fields.append(("since", since.text)) }
            if let until { fields.append(("until", until.text)) }
            fields.append(("limit", String(limit)))
            return fields
        }
    }

    static func journal(
        _ entries: [JournalEntry], form: JournalForm, pipelines: [String], problems: [String], viewer: Viewer
    ) -> HTML {
        let outcomes = [("", "every outcome")] + JournalRecord.Outcome.allCases.map { ($0.rawValue, $0.rawValue) }
        let kinds = [("", "users and groups")] + ResourceKind.allCases.map { ($0.rawValue, $0.rawValue) }
        let origins = [("", "every origin")] + JournalForm.origins.map { ($0, $0) }
        let errors: HTML = problems.isEmpty ? "" : "<div class=\"error\" role=\"alert\">\(problems.map { "<p>\($0)</p>" as HTML })</div>"
        let older: HTML =
            entries.count == form.limit && !entries.isEmpty
            ? "<p><a href=\"\(link("/admin/journal", form.query + [("before", String(entries[entries.count - 1].seq))]))\">Older entries</a></p>"
            : ""
        let newest: HTML = form.before == nil ? "" : "<p><a href=\"\(link("/admin/journal", form.query))\">Newest entries</a></p>"
        return layout(
            title: "Journal", current: "/admin/journal", viewer: viewer,
            """
            \(errors)
            <form method="get" action="/admin/journal" class="search">
            <label for="pipeline">Pipeline<select id="pipeline" name="pipeline">\(HTML.options([("", "every pipeline")] + pipelines.map { ($0, $0) }, selected: form.pipeline ?? ""))</select></label>
            <label for="kind">Kind<select id="kind" name="kind">\(HTML.options(kinds, selected: form.kind?.rawValue ?? ""))</select></label>
            <label for="origin">Origin<select id="origin" name="origin">\(HTML.options(origins, selected: form.origin ?? ""))</select></label>
            <label for="outcome">Outcome<select id="outcome" name="outcome">\(HTML.options(outcomes, selected: form.outcome?.rawValue ?? ""))</select></label>
            <label for="since">From (UTC)<input id="since" name="since" type="datetime-local" value="\(form.since?.text ?? "")"></label>
            <label for="until">Until (UTC)<input id="until" name="until" type="datetime-local" value="\(form.until?.text ?? "")"></label>
            <label for="limit">Entries<input id="limit" name="limit" type="number" min="1" max="\(AdminPage.maxJournalPage)" value="\(form.limit)"></label>
            <button type="submit">Filter</button>
            </form>
            <p>\(form.before == nil ? "The newest" : "Older:") \(entries.count) entries.</p>
            \(journalTable(entries, showPipeline: true))
            \(older)\(newest)
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
}
