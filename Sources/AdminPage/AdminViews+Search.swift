import Inspection
import SCIM

/// `/admin/search`: one box; the users and groups it names, per pipeline, each linking to its
/// explanation.
extension AdminViews {
    /// What one pipeline holds of a search.
    struct SearchResult: Sendable {
        struct Match: Sendable {
            var explanation: Explanation
            /// `userName` or `id`: what the search text matched.
            var matchedBy: String
        }

        var pipeline: String
        var matches: [Match] = []
        /// Why the pipeline could not be searched (its database did not answer).
        var problem: String?
    }

    static func search(query: String, results: [SearchResult]?, viewer: Viewer) -> HTML {
        let answer: HTML = results.map { results -> HTML in
            let sections = results.map { result -> HTML in
                let body: HTML
                if let problem = result.problem {
                    body = "<p class=\"error\" role=\"alert\">\(problem)</p>"
                } else if result.matches.isEmpty {
                    body = "<p>Nothing by that id or userName.</p>"
                } else {
                    body = "<ul>\(result.matches.map { match(result.pipeline, $0) })</ul>"
                }
                return """
                    <section class="pipeline" aria-labelledby="found-\(result.pipeline)">
                    <h2 id="found-\(result.pipeline)">\(result.pipeline)</h2>
                    \(body)
                    </section>
                    """
            }
            let found = results.reduce(0) { $0 + $1.matches.count }
            return """
                <p role="status">\(found) found in \(results.filter { !$0.matches.isEmpty }.count) of \(results.count) pipelines.</p>
                \(sections)
                """
        } ?? ""
        return layout(
            title: "Users and groups", current: "/admin/search", viewer: viewer,
            """
            <form method="get" action="/admin/search" class="search" role="search">
            <label for="q">User or group id, or userName<input id="q" name="q" type="search" value="\(query)" required maxlength="256"></label>
            <button type="submit">Search every pipeline</button>
            </form>
            <p><small>Each pipeline's source and target are read as <code>scimsync explain</code> reads them (SQL
            databases), with what the offset store knows. <a href="/admin/users">Explain in one pipeline</a>.</small></p>
            \(answer)
            """)
    }

    private static func match(_ pipeline: String, _ match: SearchResult.Match) -> HTML {
        let explanation = match.explanation
        let by = explanation.kind == .group ? "group" : "id"
        let href = link("/admin/users", [("pipeline", pipeline), ("by", by), ("q", explanation.id)])
        func side(_ present: Bool, note: String?) -> HTML {
            note != nil ? "not read" : present ? "<span class=\"ok\">yes</span>" : "no"
        }
        let userName = explanation.source?.userName ?? explanation.target?.userName
        let named: HTML = userName.map { " (userName \($0))" } ?? ""
        return """
            <li><a href="\(href)">\(explanation.kind.rawValue) \(explanation.id)</a>\(named), found by \(match.matchedBy):
            in the source \(side(explanation.source != nil, note: explanation.sourceNote)),
            in the target \(side(explanation.target != nil, note: explanation.targetNote))</li>
            """
    }
}
