import Foundation
import SCIM
import Testing

/// A layout that maps `meta.created` and `meta.lastModified` gets them set by the server, and
/// can be polled incrementally with `meta.lastModified gt "..."`.
@Suite("SCIM server: timestamps")
struct SCIMServerTimestampTests {
    @Test("created and lastModified are stored, updated and filterable", arguments: Backend.allCases)
    func timestamps(backend: Backend) async throws {
        let fixture = try SCIMServerFixture(backend, timestamps: true)
        try await fixture.withClient { client in
            let id = try await client.createUser("kim")
            let created = try await client.send(.get, "Users/\(id)")
            let meta = try #require(created["meta"]?.objectValue)
            let createdAt = try #require(meta["created"]?.stringValue)
            #expect(meta["lastModified"]?.stringValue == createdAt)
            #expect(SCIMDateTime(rfc3339: createdAt) != nil)
            try await Task.sleep(for: .milliseconds(1100))
            let other = try await client.createUser("lee")
            let patched = try await client.patch("Users/\(id)", #"{"op":"replace","path":"title","value":"Lead"}"#)
            let lastModified = try #require(patched["meta"]?.objectValue?["lastModified"]?.stringValue)
            #expect(patched["meta"]?.objectValue?["created"]?.stringValue == createdAt)
            #expect(try #require(SCIMDateTime(rfc3339: lastModified)) > (try #require(SCIMDateTime(rfc3339: createdAt))))
            let changed = try await client.send(.get, "Users?filter=\(#"meta.lastModified gt "\#(createdAt)""#.queryEncoded)&sortBy=userName")
            #expect(changed.resources.compactMap { $0["id"]?.stringValue }.sorted() == [id, other].sorted())
            let none = try await client.send(.get, "Users?filter=\(#"meta.lastModified gt "\#(lastModified)""#.queryEncoded)")
            #expect(none["totalResults"] == 0)
            // The same instants spelled with offsets (RFC 3339 §5.6) match what their UTC
            // spelling matches, text columns (SQLite's here) included.
            let east = try Self.spelled(lastModified, offsetSeconds: 3_600)
            let west = try Self.spelled(createdAt, offsetSeconds: -5 * 3_600)
            #expect(east.hasSuffix("+01:00") && west.hasSuffix("-05:00"), "\(east) \(west)")
            for (attribute, op, utc, spelled) in [
                ("lastModified", "eq", lastModified, east), ("lastModified", "ge", lastModified, east),
                ("lastModified", "gt", createdAt, west), ("created", "le", createdAt, west),
                ("lastModified", "lt", lastModified, east),
            ] {
                func ids(_ value: String) async throws -> [String] {
                    let filter = #"meta.\#(attribute) \#(op) "\#(value)""#
                    return try await client.send(.get, "Users?filter=\(filter.queryEncoded)").resources
                        .compactMap { $0["id"]?.stringValue }.sorted()
                }
                let expected = try await ids(utc)
                #expect(try await ids(spelled) == expected, "\(attribute) \(op) \(spelled)")
                #expect(op == "lt" ? !expected.contains(id) : expected.contains(id), "\(attribute) \(op) \(utc)")
            }
        }
    }

    /// `utc` (RFC 3339 in UTC) as the wall clock at `offsetSeconds` east of UTC, with its offset.
    private static func spelled(_ utc: String, offsetSeconds: Int) throws -> String {
        let reader = ISO8601DateFormatter()
        let date = try #require(reader.date(from: utc))
        let writer = ISO8601DateFormatter()
        writer.timeZone = TimeZone(secondsFromGMT: offsetSeconds)
        return writer.string(from: date)
    }
}
