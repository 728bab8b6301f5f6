import Config
import Directory
import SCIM

/// `serve`'s page: what the SCIM server serves, and users and groups of its directory.
extension AdminViews {
    static func directory(
        _ scim: SCIMServerConfig, query: String, found: [(matchedBy: String, kind: ResourceKind, resource: SCIMResource)]?,
        problem: String?, viewer: Viewer
    ) -> HTML {
        let url = scim.publicURL ?? "http://\(scim.host):\(scim.port)\(scim.basePath)"
        let results: HTML
        if let problem {
            results = "<p class=\"error\" role=\"alert\">\(problem)</p>"
        } else if let found {
            let items = found.map { match -> HTML in
                let path = "\(scim.basePath)/\(match.kind == .group ? "Groups" : "Users")/\(match.resource.id ?? "")"
                return """
                    <h3>\(match.kind.rawValue) \(match.resource.id ?? "") <small>(found by \(match.matchedBy); <code>GET \(path)</code>)</small></h3>
                    <pre>\(SCIMValue.object(match.resource.attributes).jsonString(pretty: true))</pre>
                    """
            }
            results = found.isEmpty ? "<p role=\"status\">No user or group by that id or userName.</p>" : "\(items)"
        } else {
            results = ""
        }
        return layout(
            title: "Directory", current: "/admin", viewer: viewer,
            """
            <dl>
            <dt>SCIM server</dt><dd><code>\(url)</code></dd>
            <dt>Authentication</dt><dd>\(scim.token == nil ? "none: anyone who reaches the port reads and writes" : "bearer token")</dd>
            <dt>Directory</dt><dd>\(scim.directory.connection.description)</dd>
            <dt>Limits</dt><dd>pages of at most \(scim.maxPageSize) resources, bodies of at most \(scim.maxBodyBytes) bytes,
            \(scim.connections) database connections</dd>
            </dl>
            <form method="get" action="/admin" class="search" role="search">
            <label for="q">User or group id, or userName<input id="q" name="q" type="search" value="\(query)" required maxlength="256"></label>
            <button type="submit">Find</button>
            </form>
            \(results)
            """)
    }
}
