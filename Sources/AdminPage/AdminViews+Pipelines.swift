import Daemon
import FeedSource
import Foundation
import Inspection
import OffsetStore

/// `/admin`: each pipeline's state, position, what the daemon measures of it (lag,
/// throughput, errors), parked and quarantined rows, its last reconciliation, its hold with
/// the Approve and Reject forms, and its feed runs waiting for a decision.
extension AdminViews {
    /// What the pipelines page shows of one pipeline.
    struct PipelineSection {
        var status: PipelineStatus
        /// What `/metrics` serves of it now; nil where the daemon does not run it.
        var readings: PipelineReadings?
        /// Its latest reconciliation run, whose operations are its drift.
        var lastReconcile: RunRecord?
        /// Its latest hold decisions, newest first.
        var decisions: [HoldDecision]
        /// Its feed runs waiting for a person.
        var heldFeedRuns: [FeedRun]
    }

    static func pipelines(_ sections: [PipelineSection], viewer: Viewer) -> HTML {
        let rendered = sections.map { section -> HTML in
            let status = section.status
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
            let reconciles: HTML = section.readings.map { "; \(Int($0.reconciles)) passes since the daemon started" } ?? ""
            let lastReconcile: HTML = section.lastReconcile.map { run -> HTML in
                let repairs = run.ops.values.reduce(0, +)
                let drift: HTML =
                    switch (run.endedAt, repairs) {
                    case (nil, _): "not ended"
                    case (_?, 0): "ended \(run.endedAt ?? ""), no drift"
                    case (_?, _): "ended \(run.endedAt ?? ""), \(repairs) repairs (\(opsText(run.ops)))"
                    }
                let error: HTML = run.error.map { "; <span class=\"bad\">\($0)</span>" } ?? ""
                return "started \(run.startedAt), \(drift)\(error)"
            } ?? "none yet"
            let name = status.name
            let links: HTML = """
                <p class="links"><a href="\(link("/admin/runs", [("pipeline", name)]))">Runs</a>
                <a href="\(link("/admin/journal", [("pipeline", name)]))">Journal</a></p>
                """
            return """
                <section class="pipeline" id="pipeline-\(name)" aria-labelledby="name-\(name)">
                <h2 id="name-\(name)">\(name)</h2>
                \(links)
                <dl>
                <dt>State</dt><dd>\(status.state)</dd>
                <dt>Position</dt><dd>\(status.positionText)</dd>
                \(measured(section.readings, lastRun: status.lastRun))
                <dt>Parked</dt><dd>\(status.parked) operations waiting for a row</dd>
                <dt>Quarantined</dt><dd>\(quarantined)</dd>
                <dt>Last run</dt><dd>\(lastRun)</dd>
                <dt>Last reconcile</dt><dd>\(lastReconcile)\(reconciles)</dd>
                </dl>
                \(hold(status, decisions: section.decisions, viewer: viewer))
                \(heldFeedRuns(section.heldFeedRuns, pipeline: name, viewer: viewer))
                </section>
                """
        }
        return layout(
            title: "Pipelines", current: "/admin", viewer: viewer,
            sections.isEmpty ? "<p>The configuration has no pipeline.</p>" : "\(rendered)")
    }

    /// Lag, throughput and errors as the daemon measures them for `/metrics`.
    static func measured(_ readings: PipelineReadings?, lastRun: RunRecord?) -> HTML {
        guard let readings else {
            return "<dt>Measured</dt><dd>nothing: the daemon does not run this pipeline in this process</dd>"
        }
        let lag: HTML =
            switch readings.lagSeconds {
            case nil: "not measured yet"
            case let seconds? where seconds < 0.5: "<span class=\"ok\">caught up</span>"
            case let seconds?: "<span class=\"bad\">\(durationText(seconds)) behind the source</span>"
            }
        let total = readings.appliedTotal
        var throughput: HTML = "\(Int(total)) operations applied"
        if total > 0 {
            throughput = "\(throughput) (\(opsText(readings.applied.mapValues(Int.init))))"
        }
        throughput = "\(throughput), \(Int(readings.sourceChanges)) source changes read since the daemon started"
        if let run = lastRun, run.endedAt == nil, let started = timestamp(run.startedAt) {
            let seconds = Date().timeIntervalSince(started)
            if seconds >= 1 {
                throughput = "\(throughput); \(rateText(Double(total) / seconds)) operations a second on average over \(durationText(seconds))"
            }
        }
        let errors: HTML =
            readings.errors == 0
            ? "<span class=\"ok\">none</span> since the daemon started"
            : "<span class=\"bad\">\(Int(readings.errors)) failed attempts</span>, \(Int(readings.retries)) batches retried since the daemon started"
        return """
            <dt>Lag</dt><dd>\(lag)</dd>
            <dt>Throughput</dt><dd>\(throughput)</dd>
            <dt>Errors</dt><dd>\(errors)</dd>
            """
    }

    /// `create 1, patch 2`: counts by kind, sorted by kind.
    static func opsText(_ ops: [String: Int]) -> String {
        ops.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }

    /// `42 s`, `3 min 5 s`, `2 h 1 min`.
    static func durationText(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        switch whole {
        case ..<60: return "\(whole) s"
        case ..<3600: return "\(whole / 60) min \(whole % 60) s"
        default: return "\(whole / 3600) h \(whole % 3600 / 60) min"
        }
    }

    static func rateText(_ rate: Double) -> String {
        rate >= 10 ? String(Int(rate.rounded())) : String(format: "%.1f", rate)
    }

    /// A run log time (`2026-12-03T12:00:00.123Z`).
    static func timestamp(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }

    static func hold(_ status: PipelineStatus, decisions: [HoldDecision], viewer: Viewer) -> HTML {
        let history: HTML =
            decisions.isEmpty
            ? ""
            : """
            <h3>Decisions</h3><ul>\(decisions.map { decision -> HTML in
                "<li>\(decision.at): \(decision.subject.map { "\($0) " } ?? "")\(decision.decision.rawValue) by \(decision.by)</li>"
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
            removed and the pipeline stays paused. Fix what made the rows disappear from the source, then approve: the
            pass removes only what is still missing then. Both are recorded with who decided.</small></p>
            \(history)
            </div>
            """
    }
}
