import Directory
import OffsetStore

/// `/admin/journal`: the newest entries, filtered by pipeline and outcome.
extension AdminViews {
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
}
