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
        }
    }
}
