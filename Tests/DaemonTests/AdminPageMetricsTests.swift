import Foundation
import OffsetStore
import SQLClients
import Testing

@testable import AdminPage
@testable import Daemon

/// The pipelines page shows what the daemon measures for `/metrics`, read back from the same
/// registry.
@Suite("admin page metrics")
struct AdminPageMetricsTests {
    @Test func thePipelineShowsLagThroughputAndErrorsAsMetricsServeThem() async throws {
        let fixture = try AdminPageTests.Fixture()
        let metrics = DaemonMetrics()
        let measured = metrics.pipeline("hr")
        measured.lag.set(to: 125.0)
        measured.sourceChanges.increment(by: Int64(31))
        measured.applied("create").increment(by: Int64(30))
        measured.applied("addMember").increment(by: Int64(4))
        measured.errors.increment()
        measured.errors.increment()
        measured.retries.increment()
        measured.reconciles.increment()
        measured.setState("streaming")
        _ = try fixture.store.startRun(pipeline: "hr")
        // The daemon started 100 s ago: 34 operations since then.
        try SQLiteDatabase(path: fixture.config.offsets.path).execute(
            "UPDATE runs SET started_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-100 seconds')")
        try await fixture.serve(metrics: metrics) { client in
            let cookie = try await client.logIn(name: "Ada")
            let page = try await client.send(.GET, "/admin", cookie: cookie)
            #expect(page.status == 200)
            #expect(page.text.contains("<dt>Lag</dt><dd><span class=\"bad\">2 min 5 s behind the source</span></dd>"), "\(page.text)")
            #expect(page.text.contains("34 operations applied (addMember 4, create 30), 31 source changes read since the daemon started"))
            // 34 operations over 100 s and the time the page took on a loaded machine.
            let rate = try #require(page.text.range(of: " operations a second on average over "))
            let figure = page.text[..<rate.lowerBound].split(separator: " ").last.flatMap { Double($0) }
            #expect(figure.map { (0.1...0.4).contains($0) } == true, "\(page.text)")
            // At least the 100 s, however long a loaded machine took to serve the page.
            let over = page.text[rate.upperBound...]
            let minutes = Int(over.prefix { $0.isNumber })
            #expect(minutes.map { $0 >= 1 } == true && over.dropFirst(String(minutes ?? 0).count).hasPrefix(" min "), "\(over.prefix(40))")
            #expect(page.text.contains("<span class=\"bad\">2 failed attempts</span>, 1 batches retried"))
            #expect(page.text.contains("; 1 passes since the daemon started"))

            measured.lag.set(to: 0.0)
            let caughtUp = try await client.send(.GET, "/admin", cookie: cookie)
            #expect(caughtUp.text.contains("<dt>Lag</dt><dd><span class=\"ok\">caught up</span></dd>"))
            // The page and /metrics read the same registry.
            let exposition = try await client.send(.GET, "/metrics")
            #expect(exposition.text.contains("scimsync_ops_applied_total{pipeline=\"hr\",kind=\"create\"} 30"), "\(exposition.text)")
        }
    }

    @Test func withoutTheDaemonsMetricsThePageSaysNothingWasMeasured() async throws {
        let fixture = try AdminPageTests.Fixture()
        try await fixture.serve { client in
            let page = try await client.send(.GET, "/admin", bearer: AdminPageTests.token)
            #expect(page.text.contains("nothing: the daemon does not run this pipeline in this process"))
        }
    }

    @Test func readingsParseTheExpositionWithEscapedLabels() {
        let text = """
            # HELP scimsync_errors_total Failed attempts
            # TYPE scimsync_errors_total counter
            scimsync_errors_total{pipeline="a\\"b"} 3
            scimsync_ops_applied_total{pipeline="a\\"b",kind="patch"} 7
            scimsync_ops_applied_total{pipeline="c",kind="create"} 2.5e1
            scimsync_lag_seconds{pipeline="c"} 1.5
            scimsync_pipeline_state{pipeline="c",state="paused"} 1
            scimsync_pipeline_state{pipeline="c",state="streaming"} 0
            other_metric 9
            """
        let readings = DaemonMetrics.readings(fromExposition: text)
        #expect(readings.keys.sorted() == ["a\"b", "c"])
        #expect(readings["a\"b"]?.errors == 3)
        #expect(readings["a\"b"]?.applied == ["patch": 7])
        #expect(readings["c"]?.appliedTotal == 25)
        #expect(readings["c"]?.lagSeconds == 1.5)
        #expect(readings["c"]?.state == "paused")
    }
}
