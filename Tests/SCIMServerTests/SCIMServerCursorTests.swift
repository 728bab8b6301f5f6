import Foundation
import SCIM
import Testing

/// Cursor paging (RFC 9865): keyset pages in the same order as `startIndex` pages, with
/// NULL sort values, ties, filters, changes between pages and refused cursors, on each database.
@Suite("SCIM server: cursor paging")
struct SCIMServerCursorTests {
    /// Users whose given names tie (ann, fay and gus are all "Ann") and of whom some have no
    /// e-mail, so that sorting by it meets NULLs.
    private func seed(_ client: SCIMClient) async throws -> [String: String] {
        var ids: [String: String] = [:]
        ids["ann"] = try await client.createUser("ann", given: "Ann", mail: "ann@a.example")
        ids["bob"] = try await client.createUser("bob", given: "Bob", mail: "bob@b.example")
        ids["Cleo"] = try await client.createUser("Cleo", given: "Cleo", mail: "cleo@a.example", active: false)
        ids["dan"] = try await client.createUser("dan", given: "Dan")
        ids["eve"] = try await client.createUser("eve", given: "Eve")
        ids["fay"] = try await client.createUser("fay", given: "Ann", mail: "Fay@a.example")
        ids["gus"] = try await client.createUser("gus", given: "Ann")
        return ids
    }

    private func names(_ reply: Reply) -> [String] {
        reply.resources.compactMap { $0["userName"]?.stringValue }
    }

    /// Every page of `query` by cursor, `count` at a time; the replies in order.
    private func walk(_ client: SCIMClient, _ query: String, count: Int) async throws -> [Reply] {
        var replies: [Reply] = []
        var cursor = ""
        for _ in 0..<50 {
            let reply = try await client.send(.get, "Users?\(query)&count=\(count)&cursor=\(cursor)")
            try #require(reply.status == 200, "\(reply.json.map { $0.jsonString() } ?? "")")
            replies.append(reply)
            guard let next = reply["nextCursor"]?.stringValue else { return replies }
            cursor = next
        }
        Issue.record("no last page after 50 pages")
        return replies
    }

    @Test("cursor pages list every match once, in the order startIndex pages have", arguments: Backend.allCases)
    func sameOrderAsIndexPaging(backend: Backend) async throws {
        let fixture = try SCIMServerFixture(backend, maxPageSize: 100)
        try await fixture.withClient { client in
            _ = try await seed(client)
            let queries = [
                "", "sortBy=userName", "sortBy=userName&sortOrder=descending", "sortBy=emails.value",
                "sortBy=emails.value&sortOrder=descending", "sortBy=name.givenName",
                "sortBy=name.givenName&sortOrder=descending", "sortOrder=descending",
                "filter=\("emails pr or active eq false".queryEncoded)&sortBy=name.givenName",
            ]
            for query in queries {
                let whole = names(try await client.send(.get, "Users?\(query)&count=100"))
                #expect(whole.count == (query.hasPrefix("filter") ? 4 : 7), "\(query)")
                for count in [1, 2, 3] {
                    let pages = try await walk(client, query, count: count)
                    #expect(pages.flatMap(names) == whole, "\(query), \(count) a page")
                    #expect(pages.allSatisfy { $0.resources.count <= count })
                    // The first page says how many match; later ones leave it out (RFC 9865 §2).
                    #expect(pages.first?["totalResults"] == .integer(Int64(whole.count)))
                    #expect(pages.dropFirst().allSatisfy { $0["totalResults"].isAbsent })
                    #expect(pages.allSatisfy { $0["startIndex"].isAbsent })
                    #expect(pages.last?["nextCursor"].isAbsent == true)
                    #expect(pages.first?["previousCursor"].isAbsent == true)
                }
            }
            let sorted = names(try await client.send(.get, "Users?sortBy=userName&count=100"))
            #expect(sorted == ["ann", "bob", "Cleo", "dan", "eve", "fay", "gus"])
        }
    }

    @Test("previousCursor leads back page by page", arguments: Backend.allCases)
    func previousPages(backend: Backend) async throws {
        let fixture = try SCIMServerFixture(backend)
        try await fixture.withClient { client in
            _ = try await seed(client)
            for query in ["sortBy=emails.value", "sortBy=emails.value&sortOrder=descending", "sortOrder=descending"] {
                let pages = try await walk(client, query, count: 2)
                #expect(pages.count == 4)
                // From the last page back to the first, by previousCursor alone.
                var page = try #require(pages.last)
                for expected in pages.dropLast().reversed() {
                    let previous = try #require(page["previousCursor"]?.stringValue, "\(query)")
                    page = try await client.send(.get, "Users?\(query)&count=2&cursor=\(previous)")
                    #expect(names(page) == names(expected), "\(query)")
                    // A page reached backwards still leads forwards.
                    #expect(page["nextCursor"]?.stringValue != nil)
                }
                #expect(page["previousCursor"].isAbsent, "\(query): the first page has none")
            }
        }
    }

    @Test("a change between pages neither repeats nor skips the rows that stay", arguments: Backend.allCases)
    func changesBetweenPages(backend: Backend) async throws {
        let fixture = try SCIMServerFixture(backend)
        try await fixture.withClient { client in
            let ids = try await seed(client)
            let first = try await client.send(.get, "Users?sortBy=userName&count=3&cursor=")
            #expect(names(first) == ["ann", "bob", "Cleo"])
            // Removing a row already read and one not yet read, and adding one before the
            // position: startIndex pages would shift; cursor pages go on from where they were.
            #expect(try await client.send(.delete, "Users/\(try #require(ids["bob"]))").status == 204)
            #expect(try await client.send(.delete, "Users/\(try #require(ids["eve"]))").status == 204)
            _ = try await client.createUser("al", given: "Al")
            let cursor = try #require(first["nextCursor"]?.stringValue)
            let second = try await client.send(.get, "Users?sortBy=userName&count=3&cursor=\(cursor)")
            #expect(names(second) == ["dan", "fay", "gus"])
            #expect(second["nextCursor"].isAbsent)
        }
    }

    @Test("searches page by cursor too; bad cursors and counts are refused with what to do", arguments: Backend.allCases)
    func searchesAndRefusals(backend: Backend) async throws {
        let fixture = try SCIMServerFixture(backend)
        try await fixture.withClient { client in
            _ = try await seed(client)
            let body = { (cursor: String) in
                #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"active eq true","sortBy":"userName","cursor":"\#(cursor)","count":4}"#
            }
            let first = try await client.send(.post, "Users/.search", body(""))
            #expect(first.status == 200)
            #expect(names(first) == ["ann", "bob", "dan", "eve"])
            let next = try #require(first["nextCursor"]?.stringValue)
            #expect(next.utf8.allSatisfy { $0 < 128 && (Character(Unicode.Scalar($0)).isLetter || Character(Unicode.Scalar($0)).isNumber || "-._~".utf8.contains($0)) })
            let second = try await client.send(.post, "Users/.search", body(next))
            #expect(names(second) == ["fay", "gus"])

            // The same cursor with another filter, sort or resource type is another query.
            for other in [
                "Users?filter=\("active eq false".queryEncoded)&sortBy=userName&count=4&cursor=\(next)",
                "Users?sortBy=userName&count=4&cursor=\(next)", "Groups?count=4&cursor=\(next)",
            ] {
                let reply = try await client.send(.get, other)
                #expect(reply.status == 400, "\(other)")
                #expect(reply.scimType == "invalidCursor")
                #expect(reply["detail"]?.stringValue?.contains("same filter") == true)
            }
            for garbage in ["x", "not%20base64", String(repeating: "A", count: 5000), "eyJ2IjoxfQ"] {
                let reply = try await client.send(.get, "Users?count=4&cursor=\(garbage)")
                #expect(reply.status == 400, "\(garbage.prefix(20))")
                #expect(reply.scimType == "invalidCursor")
                #expect(reply["detail"]?.stringValue?.contains("empty cursor") == true)
            }
            let both = try await client.send(.get, "Users?startIndex=2&cursor=")
            #expect(both.status == 400)
            #expect(both.scimType == "invalidValue")
            let zero = try await client.send(.get, "Users?count=0&cursor=")
            #expect(zero.status == 400)
            #expect(zero.scimType == "invalidCount")
            let root = try await client.send(
                .post, "/scim/v2/.search", #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"cursor":""}"#)
            #expect(root.status == 400)
            #expect(root.scimType == "invalidCursor")

            let config = try await client.send(.get, "ServiceProviderConfig")
            let pagination = try #require(config["pagination"]?.objectValue)
            #expect(pagination["cursor"] == true)
            #expect(pagination["index"] == true)
            #expect(pagination["defaultPaginationMethod"] == "index")
        }
    }

    @Test(
        "an edited cursor is refused as not issued here, whatever it holds, never a 500",
        arguments: [Backend.sqlite, .mariadb, .postgres])
    func editedCursors(backend: Backend) async throws {
        let fixture = try SCIMServerFixture(backend)
        try await fixture.withClient { client in
            _ = try await seed(client)
            // What an editor puts in a cursor: a NUL in the id, an id wider than any column, a
            // sort key of another type than the sort column's.
            let edits: [(String, SCIMValue)] = [
                ("i", "a\u{0}b"), ("i", .string(String(repeating: "x", count: 1000))), ("k", ["i", .integer(5)]),
                ("k", ["s", "abc"]), ("k", ["s", "a\u{0}"]), ("b", true),
            ]
            for query in ["sortBy=userName", "sortBy=active", ""] {
                let first = try await client.send(.get, "Users?\(query)&count=1&cursor=")
                let issued = try #require(first["nextCursor"]?.stringValue, "\(query)")
                #expect(try await client.send(.get, "Users?\(query)&count=1&cursor=\(issued)").status == 200)
                let parts = issued.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
                try #require(parts.count == 2, "\(issued)")
                let payloadBytes = try #require(Self.bytes(base64URL: parts[0]))
                var object = try #require(try SCIMValue(json: payloadBytes).objectValue)
                let unsigned = parts[0]
                for (key, value) in edits {
                    let original = object[key]
                    object[key] = value
                    let payload = Self.base64URL(object.jsonBytes())
                    object[key] = original
                    for forged in [payload + "." + parts[1], payload, unsigned] {
                        let reply = try await client.send(.get, "Users?\(query)&count=1&cursor=\(forged)")
                        #expect(reply.status == 400, "\(query) \(key)=\(value.jsonString()): \(reply.status)")
                        #expect(reply.scimType == "invalidCursor")
                        #expect(reply["detail"]?.stringValue?.contains("empty cursor") == true)
                    }
                }
            }
        }
    }

    @Test("a cursor after a long sort value is read back, by GET and by search", arguments: [Backend.sqlite, .postgres])
    func longSortValues(backend: Backend) async throws {
        let fixture = try SCIMServerFixture(backend)
        try await fixture.withClient { client in
            for (name, title) in [
                ("ann", "a"), ("bob", String(repeating: "b", count: 3_000)), ("cat", String(repeating: "é", count: 10_000)),
                ("dan", "d"),
            ] {
                let reply = try await client.send(
                    .post, "Users",
                    #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"\#(name)","title":"\#(title)"}"#)
                try #require(reply.status == 201)
            }
            var read: [String] = []
            var cursor = ""
            for page in 0..<10 {
                let reply: Reply
                if page % 2 == 0 {
                    reply = try await client.send(.get, "Users?sortBy=title&count=1&cursor=\(cursor)")
                } else {
                    reply = try await client.send(
                        .post, "Users/.search",
                        #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"sortBy":"title","count":1,"cursor":"\#(cursor)"}"#)
                }
                try #require(reply.status == 200, "page \(page): \(reply.json.map { $0.jsonString() } ?? "")")
                read += names(reply)
                guard let next = reply["nextCursor"]?.stringValue else { break }
                cursor = next
            }
            #expect(read == ["ann", "bob", "dan", "cat"])
        }
    }

    private static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    private static func bytes(base64URL text: String) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
        return Data(base64Encoded: base64).map { [UInt8]($0) }
    }
}
