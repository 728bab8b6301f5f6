/// The pages of the admin page as HTML: the layout every page shares, the login form and
/// messages here, one file per section beside it. Every value from the store, a source or a
/// target is interpolated into an ``HTML`` literal, which escapes it.
enum AdminViews {
    /// Who is looking, as the pages show it, and the CSRF token their forms carry (empty for
    /// a bearer of the token, whose requests a browser does not send on its own).
    struct Viewer {
        var name: String
        var csrf: String
        /// The sections the navigation links to: `run`'s, or `serve`'s.
        var sections: [(path: String, label: String)] = AdminViews.runSections
    }

    /// The sections of `run`'s page.
    static let runSections: [(path: String, label: String)] = [
        ("/admin", "Pipelines"), ("/admin/runs", "Runs"), ("/admin/search", "Users and groups"),
        ("/admin/journal", "Journal"),
    ]

    static func layout(title: String, current: String?, viewer: Viewer?, _ body: HTML) -> HTML {
        let links = viewer?.sections ?? []
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
        .hold{background:#fff4e5;border-left:4px solid #b54708;padding:.5rem 1rem;margin:1rem 0}
        .ok{color:#146c2e}.bad{color:#b42318}
        button{font:inherit;padding:.3rem .8rem;border-radius:4px;border:1px solid #52606d;background:#f5f7fa;color:#111;cursor:pointer}
        button.approve{background:#146c2e;border-color:#146c2e;color:#fff}
        button.reject{background:#b42318;border-color:#b42318;color:#fff}
        header button{background:#fff}
        form.inline{display:inline}
        .links{display:flex;gap:1rem;margin:.25rem 0}
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

    static func message(_ title: String, _ text: String, viewer: Viewer?) -> HTML {
        layout(title: title, current: nil, viewer: viewer, "<p class=\"error\" role=\"alert\">\(text)</p>")
    }
}
