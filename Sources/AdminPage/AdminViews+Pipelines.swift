import Foundation
import Inspection
import OffsetStore

/// `/admin`: each pipeline's state, position, parked and quarantined rows, and its hold with
/// the Approve and Reject forms.
extension AdminViews {
    /// - Parameters:
    ///   - reconciles: each pipeline's latest reconciliation run, whose operations are its drift.
    ///   - decisions: each pipeline's latest hold decisions, newest first.
    static func pipelines(
        _ statuses: [PipelineStatus], reconciles: [String: RunRecord], decisions: [String: [HoldDecision]], viewer: Viewer
    ) -> HTML {
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
            let lastReconcile: HTML = reconciles[status.name].map { run -> HTML in
                let repairs = run.ops.values.reduce(0, +)
                let drift: HTML =
                    switch (run.endedAt, repairs) {
                    case (nil, _): "not ended"
                    case (_?, 0): "ended \(run.endedAt ?? ""), no drift"
                    case (_?, _):
                        "ended \(run.endedAt ?? ""), \(repairs) repairs (\(run.ops.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")))"
                    }
                let error: HTML = run.error.map { "; <span class=\"bad\">\($0)</span>" } ?? ""
                return "started \(run.startedAt), \(drift)\(error)"
            } ?? "none yet"
            return """
                <section class="pipeline" id="pipeline-\(status.name)" aria-labelledby="name-\(status.name)">
                <h2 id="name-\(status.name)">\(status.name)</h2>
                <dl>
                <dt>State</dt><dd>\(status.state)</dd>
                <dt>Position</dt><dd>\(status.positionText)</dd>
                <dt>Parked</dt><dd>\(status.parked) operations waiting for a row</dd>
                <dt>Quarantined</dt><dd>\(quarantined)</dd>
                <dt>Last run</dt><dd>\(lastRun)</dd>
                <dt>Last reconcile</dt><dd>\(lastReconcile)</dd>
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
            <h3>Decisions</h3><ul>\(decisions.map { decision -> HTML in
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
            removed and the pipeline stays paused. Fix what made the rows disappear from the source, then approve: the
            pass removes only what is still missing then. Both are recorded with who decided.</small></p>
            \(history)
            </div>
            """
    }
}
