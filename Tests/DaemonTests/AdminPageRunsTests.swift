import Daemon
import FeedSource
import Foundation
import OffsetStore
import Testing

@testable import AdminPage

/// The runs page: the run log's loads, reconciliations and daemon runs, a feed's runs with
/// their files and logs, and held feed runs decided from the page.
@Suite("admin page runs")
struct AdminPageRunsTests {
    typealias Fixture = AdminPageTests.Fixture

    static let export = "login\tgiven\nbjensen\tBarbara\nada\tAda <i>\n"

    @Test func theRunLogListsLoadsReconcilesAndDaemonRuns() async throws {
        let fixture = try Fixture()
        let load = try fixture.store.startRun(pipeline: "hr", kind: "load")
        try fixture.store.finishRun(load, ops: ["create": 40], error: nil)
        let pass = try fixture.store.startRun(pipeline: "hr", kind: "reconcile")
        try fixture.store.finishRun(pass, ops: ["patch": 2], error: "target refused <row>")
        _ = try fixture.store.startRun(pipeline: "hr")
        try await fixture.serve { client in
            let cookie = try await client.logIn(name: "Ada")
            let page = try await client.send(.GET, "/admin/runs?pipeline=hr", cookie: cookie)
            #expect(page.status == 200, "\(page.text)")
            #expect(page.text.contains("<td>first load</td>"), "\(page.text)")
            #expect(page.text.contains("<td>40 (create 40)</td>"))
            #expect(page.text.contains("<td>reconciliation</td>"))
            #expect(page.text.contains("failed: target refused &lt;row&gt;"))
            #expect(page.text.contains("<td>daemon run</td>"))
            #expect(page.text.contains("running, or stopped by a crash"))
            #expect(page.text.contains("No feed run yet."))
            #expect(page.text.contains("<a href=\"/admin/runs\" aria-current=\"page\">Runs</a>"))
        }
    }

    @Test func aHeldFeedRunIsApprovedFromThePageWithWhoDecided() async throws {
        let fixture = try Fixture()
        let site = try #require(try fixture.feeds()["hr"])
        let staged = try site.stage(files: [.bytes(name: "users.tsv", Data(Self.export.utf8))], startedBy: "http (hr system)")
        #expect(staged.run.state == .ready && staged.run.holdReason != nil)
        let run = staged.run.id
        try await fixture.serve { client in
            let cookie = try await client.logIn(name: "Ada")
            let overview = try await client.send(.GET, "/admin", cookie: cookie)
            #expect(overview.text.contains("Feed run <a href=\"/admin/feeds/hr/runs/\(run)\">\(run)</a> waits for a decision"))
            let page = try await client.send(.GET, "/admin/runs", cookie: cookie)
            #expect(page.text.contains("this is the first run: nothing to compare it with"), "\(page.text)")
            #expect(page.text.contains("action=\"/admin/feeds/hr/runs/\(run)/approve\""))
            #expect(page.text.contains("<a href=\"/admin/feeds/hr/runs/\(run)/files/users.tsv\" download>users.tsv</a>"))
            let csrf = try AdminPageTests.csrf(in: page.text)

            // Without the session's CSRF token, nothing is decided.
            let forged = try await client.send(.POST, "/admin/feeds/hr/runs/\(run)/approve", cookie: cookie, form: "csrf=nope")
            #expect(forged.status == 403)
            #expect(try site.run(run)?.approvedBy == nil)

            let approved = try await client.send(.POST, "/admin/feeds/hr/runs/\(run)/approve", cookie: cookie, form: "csrf=\(csrf)")
            #expect(approved.status == 303, "\(approved.text)")
            #expect(approved.headers["location"] == "/admin/runs?pipeline=hr#feed-run-\(run)")
            let record = try #require(try site.run(run))
            #expect(record.approvedBy == "admin page (Ada)")
            #expect(record.state == .ready)
            let decision = try #require(try fixture.store.holdDecisions(pipeline: "hr").first)
            #expect(decision.decision == .approved && decision.subject == "feed run \(run)")
            #expect(decision.by == "admin page (Ada)")
            #expect(decision.holdReason?.hasPrefix("this is the first run") == true)

            let after = try await client.send(.GET, "/admin", cookie: cookie)
            #expect(!after.text.contains("waits for a decision"))
            #expect(after.text.contains("feed run \(run) approved by admin page (Ada)"), "\(after.text)")
            // Deciding twice is refused: the run waits for nothing any more.
            let again = try await client.send(.POST, "/admin/feeds/hr/runs/\(run)/reject", cookie: cookie, form: "csrf=\(csrf)")
            #expect(again.status == 409)
            #expect(try site.run(run)?.state == .ready)
        }
    }

    @Test func aHeldFeedRunIsRejectedAndItsFilesAndLogAreShown() async throws {
        let fixture = try Fixture()
        let site = try #require(try fixture.feeds()["hr"])
        let text = Self.export + "\tno login\n"
        let run = try site.stage(files: [.bytes(name: "users.tsv", Data(text.utf8))], startedBy: "alice").run.id
        try await fixture.serve { client in
            let cookie = try await client.logIn(name: "Bo")
            let page = try await client.send(.GET, "/admin/feeds/hr/runs/\(run)", cookie: cookie)
            #expect(page.status == 200, "\(page.text)")
            #expect(page.text.contains("<h1>Feed run \(run) of hr</h1>"))
            #expect(page.text.contains("Uploaded") && page.text.contains("by alice"))
            let log = try site.log(of: run)
            #expect(!log.isEmpty)
            for entry in log { #expect(page.text.contains(HTML.escape(entry.reason)), "\(entry.reason)") }

            // The file as uploaded, with the session cookie (the page's links), never without.
            let file = try await client.send(.GET, "/admin/feeds/hr/runs/\(run)/files/users.tsv", cookie: cookie)
            #expect(file.status == 200)
            #expect(file.text == text)
            #expect(file.headers["content-disposition"] == "attachment; filename*=UTF-8''users.tsv")
            #expect(try await client.send(.GET, "/admin/feeds/hr/runs/\(run)/files/users.tsv").status == 303)
            #expect(try await client.send(.GET, "/admin/feeds/hr/runs/\(run)/files/other.tsv", cookie: cookie).status == 404)
            #expect(try await client.send(.GET, "/admin/feeds/hr/runs/\(run)/files/..%2Foffsets.db", cookie: cookie).status == 404)
            #expect(try await client.send(.GET, "/admin/feeds/hr/runs/99", cookie: cookie).status == 404)

            let rejected = try await client.send(
                .POST, "/admin/feeds/hr/runs/\(run)/reject", cookie: cookie, form: "csrf=\(try AdminPageTests.csrf(in: page.text))")
            #expect(rejected.status == 303)
            #expect(try site.run(run)?.state == .cancelled)
            let decision = try #require(try fixture.store.holdDecisions(pipeline: "hr").first)
            #expect(decision.decision == .rejected && decision.subject == "feed run \(run)" && decision.by == "admin page (Bo)")
            let runs = try await client.send(.GET, "/admin/runs?pipeline=hr", cookie: cookie)
            #expect(runs.text.contains("<td>cancelled</td>"), "\(runs.text)")
        }
    }
}
