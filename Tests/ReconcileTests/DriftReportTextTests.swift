import Directory
import Reconcile
import SCIM
import Testing

/// What a report says, without I/O: unmanaged rows are reported and left alone but are no
/// drift, and the note on unlisted differences counts only those the listing leaves out.
@Suite struct DriftReportTextTests {
    static let layout = ReconcileRulesTests.layout([("id", "id"), ("userName", "login"), ("name.givenName", "given")])
    static let rules = ReconcileRules(source: layout, target: layout, onDelete: .delete, adopt: false)

    /// A report of `missing` users missing in the target, listing at most `limit` of them.
    static func report(missing: Int, limit: Int) -> DriftReport {
        var report = DriftReport(detailLimit: limit)
        for id in 1...missing {
            let decision = rules.decide(
                .source(ReconcileRulesTests.user(String(id), "Ann")), kind: .user, managed: false, report: &report)
            report.count(decision.ops)
        }
        return report
    }

    @Test func unmanagedRowsAloneAreNoDriftButAreReported() {
        var report = DriftReport()
        let stranger = ReconcileRulesTests.user("990001", "Gus")
        let decision = Self.rules.decide(.target(stranger), kind: .user, managed: false, report: &report)
        report.count(decision.ops)
        #expect(decision.ops.isEmpty, "not scimsync's: left alone")
        #expect(!report.hasDrift, "a dry run must come back clean, as the real pass does")
        #expect(report.unmanagedRows == 1)
        let line = report.unmanagedLine ?? ""
        #expect(line.contains("1 unmanaged row left alone (User: 1)"), "\(line)")
        #expect(line.contains("adopt: true"), "\(line)")
        #expect(report.detailLines == [line, "  User 990001: not in source (unmanaged)"])
    }

    /// A value from a directory is escaped and cut in a line: a line break or a terminal
    /// escape cannot forge a line, and a value of a page does not make one.
    @Test func valuesAreEscapedAndCut() {
        let forged = Difference(
            resource: "User", id: "3", change: "attribute", attribute: "name.formatted",
            source: "Ctl\u{0}\u{1b}[31m\u{202e}evil\r\n2026-12-07 info scimsync: FAKE", target: String(repeating: "x", count: 5000))
        let text = forged.text
        #expect(!text.contains("\n") && !text.contains("\r") && !text.contains("\u{1b}") && !text.contains("\u{202e}"))
        #expect(text.contains(#"source "Ctl\u{0}\u{1b}[31m\u{202e}evil\r\n2026-12-07 info scimsync: FAKE""#), "\(text)")
        #expect(text.contains("target \"" + String(repeating: "x", count: 200) + "…\""), "\(text)")
        #expect(text.count < 400)
    }

    @Test func unmanagedRowsBesideRepairsLeaveTheRepairsDrift() {
        var report = Self.report(missing: 1, limit: 20)
        _ = Self.rules.decide(.target(ReconcileRulesTests.user("9", "Gus")), kind: .user, managed: false, report: &report)
        #expect(report.hasDrift)
        #expect(report.totalRepairs == 1)
        #expect(report.unmanagedRows == 1)
    }

    @Test func aListingThatShowsEveryDifferenceSaysNothingMore() {
        let report = Self.report(missing: 3, limit: 20)
        #expect(report.notListedLine == nil)
        #expect(report.detailLines == [
            "  createUser 3", "  User 1: missing in target", "  User 2: missing in target", "  User 3: missing in target",
        ])
    }

    @Test func noneListedIsNotCalledMore() {
        let report = Self.report(missing: 3, limit: 0)
        #expect(report.differenceCount == 3)
        #expect(report.notListedLine == "  (3 differences found, none listed; --details N lists the first N)")
        #expect(report.detailLines == ["  createUser 3", "  (3 differences found, none listed; --details N lists the first N)"])
    }

    @Test func theSuffixCountsOnlyWhatTheListingLeavesOut() {
        let report = Self.report(missing: 3, limit: 1)
        let listed = report.detailLines.filter { $0.hasPrefix("  User ") }.count
        #expect(listed == 1)
        #expect(report.notListedLine == "  (2 more differences not listed; --details N lists the first N)")
        #expect(Self.report(missing: 2, limit: 1).notListedLine?.contains("1 more difference not listed") == true)
    }
}
