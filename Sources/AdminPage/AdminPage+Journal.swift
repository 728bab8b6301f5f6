import Directory
import Foundation
import Hummingbird
import OffsetStore

/// `/admin/journal`: the journal's entries by pipeline, kind, origin, outcome and time.
extension AdminPage {
    /// The most entries one page shows; older ones are a link away.
    static let maxJournalPage = 500

    func journal(_ request: Request) throws -> Response {
        let query = formFields(request.uri.query ?? "")
        let names = config.pipelines.map(\.name)
        var form = AdminViews.JournalForm()
        form.pipeline = query["pipeline"].flatMap { names.contains($0) ? $0 : nil }
        form.kind = query["kind"].flatMap(ResourceKind.init(rawValue:))
        form.origin = query["origin"].flatMap { AdminViews.JournalForm.origins.contains($0) ? $0 : nil }
        form.outcome = query["outcome"].flatMap(JournalRecord.Outcome.init(rawValue:))
        form.limit = min(max(Int(query["limit"] ?? "") ?? 100, 1), Self.maxJournalPage)
        form.before = query["before"].flatMap { Int64($0) }
        var problems: [String] = []
        for (field, label) in [("since", "From"), ("until", "Until")] {
            guard let text = query[field]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { continue }
            guard let time = Self.utcTime(text) else {
                problems.append("\(label): \"\(text)\" is not a time; give it as 2026-12-03T14:05 (UTC).")
                continue
            }
            if field == "since" { form.since = (text, time) } else { form.until = (text, time) }
        }
        let entries = try store.journal(
            JournalFilter(
                pipeline: form.pipeline, kind: form.kind, origin: form.origin, outcome: form.outcome, since: form.since?.date,
                until: form.until?.date, before: form.before),
            limit: form.limit)
        return Self.page(
            problems.isEmpty ? .ok : .badRequest,
            AdminViews.journal(entries, form: form, pipelines: names, problems: problems, viewer: viewer(request)))
    }

    /// A time as a `datetime-local` field sends it (`2026-12-03T14:05`, seconds optional),
    /// read as UTC, or in full RFC 3339.
    static func utcTime(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        for candidate in [text, text + "Z", text + ":00Z"] {
            formatter.formatOptions = [.withInternetDateTime]
            if let date = formatter.date(from: candidate) { return date }
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            if let date = formatter.date(from: candidate) { return date }
        }
        return nil
    }
}
