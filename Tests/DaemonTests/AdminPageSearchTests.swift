import Directory
import Foundation
import OffsetStore
import Testing

@testable import AdminPage

/// One search box over every pipeline, and the journal's filters.
@Suite("admin page search and journal")
struct AdminPageSearchTests {
    typealias Fixture = AdminPageTests.Fixture

    @Test func oneBoxFindsUsersInEveryPipelineByUserNameOrID() async throws {
        let fixture = try Fixture(pipeline: "hr", others: ["lab"])
        // Known to the offset store only (the target has no such group any more).
        try fixture.store.appendJournal(
            [JournalRecord(kind: .group, id: "g-2", action: "delete", outcome: .applied)], pipeline: "lab", origin: "feed")
        try await fixture.serve { client in
            let cookie = try await client.logIn(name: "Ada")
            let empty = try await client.send(.GET, "/admin/search", cookie: cookie)
            #expect(empty.status == 200)
            #expect(empty.text.contains("<input id=\"q\" name=\"q\" type=\"search\" value=\"\" required"))

            let byName = try await client.send(.GET, "/admin/search?q=bjensen", cookie: cookie)
            #expect(byName.status == 200, "\(byName.text)")
            #expect(byName.text.contains("2 found in 2 of 2 pipelines."), "\(byName.text)")
            for pipeline in ["hr", "lab"] {
                #expect(byName.text.contains("<h2 id=\"found-\(pipeline)\">\(pipeline)</h2>"))
                #expect(
                    byName.text.contains(
                        "<a href=\"/admin/users?pipeline=\(pipeline)&amp;by=id&amp;q=1\">User 1</a> (userName bjensen), found by userName"))
            }
            // The source is a feed that has not received bjensen.
            #expect(byName.text.contains("in the source no,"), "\(byName.text)")
            #expect(byName.text.contains("in the target <span class=\"ok\">yes</span>"))

            let byID = try await client.send(.GET, "/admin/search?q=1", cookie: cookie)
            #expect(byID.text.contains("User 1</a> (userName bjensen), found by id"), "\(byID.text)")
            let group = try await client.send(.GET, "/admin/search?q=g-1", cookie: cookie)
            #expect(group.text.contains("2 found in 2 of 2 pipelines."), "\(group.text)")
            #expect(group.text.contains("<a href=\"/admin/users?pipeline=lab&amp;by=group&amp;q=g-1\">Group g-1</a>, found by id"))
            let journalled = try await client.send(.GET, "/admin/search?q=g-2", cookie: cookie)
            #expect(journalled.text.contains("1 found in 1 of 2 pipelines."), "\(journalled.text)")
            #expect(journalled.text.contains("<a href=\"/admin/users?pipeline=lab&amp;by=group&amp;q=g-2\">Group g-2</a>"))
            #expect(journalled.text.contains("in the target no"))
            let nobody = try await client.send(.GET, "/admin/search?q=%3Cnobody%3E", cookie: cookie)
            #expect(nobody.text.contains("0 found in 0 of 2 pipelines."))
            #expect(nobody.text.contains("value=\"&lt;nobody&gt;\""))
            #expect(!nobody.text.contains("<nobody>"))
        }
    }

    @Test func theJournalIsFilteredByKindOriginOutcomeAndTimeAPageAtATime() async throws {
        let fixture = try Fixture(pipeline: "hr", others: ["lab"])
        try fixture.store.appendJournal(
            [JournalRecord(kind: .user, id: "u1", action: "create", outcome: .applied)], pipeline: "hr", origin: "stream")
        try fixture.store.appendJournal(
            [JournalRecord(kind: .group, id: "g1", action: "create", outcome: .applied)], pipeline: "hr", origin: "reconcile")
        try fixture.store.appendJournal(
            [JournalRecord(kind: .user, id: "u2", action: "patch", outcome: .parked, reason: "waits")], pipeline: "lab",
            origin: "stream")
        try fixture.store.appendJournal(
            [JournalRecord(kind: .user, id: "u3", action: "delete", outcome: .applied)], pipeline: "hr", origin: "stream")
        let ids: @Sendable (String) -> [String] = { html in
            ["u1", "g1", "u2", "u3"].filter { html.contains("q=\($0)\">\($0)</a>") }
        }
        try await fixture.serve { client in
            let cookie = try await client.logIn(name: "Ada")
            let groups = try await client.send(.GET, "/admin/journal?kind=Group", cookie: cookie)
            #expect(ids(groups.text) == ["g1"], "\(groups.text)")
            #expect(groups.text.contains("<option value=\"Group\" selected>"))
            let stream = try await client.send(.GET, "/admin/journal?pipeline=hr&origin=stream", cookie: cookie)
            #expect(ids(stream.text) == ["u1", "u3"])
            let parked = try await client.send(.GET, "/admin/journal?outcome=parked", cookie: cookie)
            #expect(ids(parked.text) == ["u2"])

            // A time range, as a datetime-local field sends it (UTC).
            let hourAgo = Self.minute(Date().addingTimeInterval(-3600))
            let hourAhead = Self.minute(Date().addingTimeInterval(3600))
            let inRange = try await client.send(.GET, "/admin/journal?since=\(hourAgo)&until=\(hourAhead)", cookie: cookie)
            #expect(ids(inRange.text) == ["u1", "g1", "u2", "u3"])
            #expect(inRange.text.contains("value=\"\(hourAgo)\""))
            let future = try await client.send(.GET, "/admin/journal?since=\(hourAhead)", cookie: cookie)
            #expect(ids(future.text).isEmpty)
            let past = try await client.send(.GET, "/admin/journal?until=\(hourAgo)", cookie: cookie)
            #expect(ids(past.text).isEmpty)
            let wrong = try await client.send(.GET, "/admin/journal?since=yesterday%3Cb%3E", cookie: cookie)
            #expect(wrong.status == 400)
            #expect(wrong.text.contains("From: &quot;yesterday&lt;b&gt;&quot; is not a time"))

            // Bounded pages, newest first, with a link to the older ones.
            let first = try await client.send(.GET, "/admin/journal?limit=2", cookie: cookie)
            #expect(ids(first.text) == ["u2", "u3"])
            let start = try #require(first.text.range(of: "href=\"/admin/journal?"))
            let older = String(first.text[start.upperBound...].prefix { $0 != "\"" }).replacingOccurrences(of: "&amp;", with: "&")
            #expect(older.hasPrefix("limit=2&before="))
            let second = try await client.send(.GET, "/admin/journal?" + older, cookie: cookie)
            #expect(ids(second.text) == ["u1", "g1"], "\(older)")
            let huge = try await client.send(.GET, "/admin/journal?limit=100000", cookie: cookie)
            #expect(huge.text.contains("value=\"\(AdminPage.maxJournalPage)\""))
        }
    }

    static func minute(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm"
        return formatter.string(from: date)
    }
}
