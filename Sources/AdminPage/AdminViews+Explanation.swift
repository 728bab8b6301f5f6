import Inspection
import SCIM

/// `/admin/users`: the explain form and one resource explained, as `scimsync explain` tells it.
extension AdminViews {
    static func explain(
        pipelines: [String], pipeline: String?, by: String, query: String, result: HTML, viewer: Viewer
    ) -> HTML {
        layout(
            title: "Explain a user or group", current: "/admin/search", viewer: viewer,
            """
            <p>One pipeline, one resource: the same answer as <code>scimsync explain</code>.
            <a href="/admin/search">Search every pipeline</a> when you do not know where it is.</p>
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
        let facts: HTML =
            explanation.sourceFacts.isEmpty
            ? "" : "<ul>\(explanation.sourceFacts.map { fact -> HTML in "<li>\(fact)</li>" })</ul>"
        let problems: HTML = refused.isEmpty && parked.isEmpty ? "" : "<h3>Refused and parked</h3><ul>\(refused)\(parked)</ul>"
        return """
            <h2>\(explanation.kind.rawValue) \(explanation.id) in pipeline \(explanation.pipeline)</h2>
            <dl>
            <dt>Agree now</dt><dd>\(agreement)</dd>
            <dt>Ownership</dt><dd>\(ownership)</dd>
            </dl>
            <h3>Source now</h3>\(side(explanation.source, note: explanation.sourceNote))\(facts)
            <h3>Target now</h3>\(side(explanation.target, note: explanation.targetNote))
            \(problems)
            <h3>Journal (newest first)</h3>
            \(journalTable(explanation.journal, showPipeline: false))
            """
    }
}
