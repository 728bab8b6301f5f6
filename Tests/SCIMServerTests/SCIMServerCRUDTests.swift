import HTTPTypes
import SCIM
import Testing

/// Create, read, replace, patch and delete against each real database, checking both the SCIM
/// JSON that comes back and the rows the tables hold.
@Suite("SCIM server: resources")
struct SCIMServerCRUDTests {
    @Test("POST creates the row, answers 201 with Location and ETag; GET returns it", arguments: Backend.allCases)
    func createAndRead(backend: Backend) async throws {
        let fixture = try SCIMServerFixture(backend)
        try await fixture.withClient { client in
            let reply = try await client.send(
                .post, "Users",
                #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"userName":"bjensen","name":{"givenName":"Barbara","familyName":"Jensen"},"emails":[{"type":"work","value":"bjensen@example.com"}],"active":true,"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"701984"},"id":"client-chosen","meta":{"version":"W/\"x\""}}"#)
            #expect(reply.status == 201)
            let id = try #require(reply["id"]?.stringValue)
            #expect(id != "client-chosen")
            #expect(reply["userName"] == "bjensen")
            #expect(reply["name"]?.objectValue?["givenName"] == "Barbara")
            #expect(reply["emails"] == [["type": "work", "value": "bjensen@example.com"]])
            let meta = try #require(reply["meta"]?.objectValue)
            #expect(meta["resourceType"] == "User")
            #expect(meta["location"]?.stringValue?.hasSuffix("/scim/v2/Users/\(id)") == true)
            #expect(reply.headers[.location] == meta["location"]?.stringValue)
            #expect(reply.headers[.eTag] == meta["version"]?.stringValue)
            #expect(reply.headers[.contentType] == "application/scim+json")

            let users = fixture.quote(fixture.users)
            #expect(try fixture.column("SELECT login FROM \(users)") == ["bjensen"])
            #expect(try fixture.column("SELECT employee_no FROM \(users)") == ["701984"])

            let read = try await client.send(.get, "Users/\(id)")
            #expect(read.status == 200)
            #expect(read.json == reply.json)
            #expect(read.headers[.eTag] == reply.headers[.eTag])

            let unchanged = try await client.send(.get, "Users/\(id)", headers: [.ifNoneMatch: reply.headers[.eTag] ?? ""])
            #expect(unchanged.status == 304)
            #expect(unchanged.json.isAbsent)
        }
    }

    @Test("a taken userName, in any case, is a 409 uniqueness", arguments: Backend.allCases)
    func uniqueness(backend: Backend) async throws {
        let fixture = try SCIMServerFixture(backend)
        try await fixture.withClient { client in
            _ = try await client.createUser("alice")
            let reply = try await client.send(
                .post, "Users", #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ALICE"}"#)
            #expect(reply.status == 409)
            #expect(reply.scimType == "uniqueness")
            #expect(reply["status"] == "409")
            #expect(try fixture.column("SELECT COUNT(*) FROM \(fixture.quote(fixture.users))") == ["1"])
        }
    }

    @Test("userName uniqueness ignores case beyond ASCII too", arguments: Backend.allCases)
    func uniquenessBeyondASCII(backend: Backend) async throws {
        let fixture = try SCIMServerFixture(backend)
        try await fixture.withClient { client in
            let user = { (name: String) in
                #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"\#(name)"}"#
            }
            _ = try await client.createUser("ålice")
            _ = try await client.createUser("ΣΩΚΡΑΤΗΣ")
            _ = try await client.createUser("東京")
            for taken in ["ÅLICE", "Ålice", "σωκρατησ", "Σωκρατησ"] {
                let reply = try await client.send(.post, "Users", user(taken))
                #expect(reply.status == 409, "\(taken)")
                #expect(reply.scimType == "uniqueness")
            }
            // Names that differ in a letter beyond ASCII, or only share the ASCII part, are free;
            // MariaDB's default collations also ignore accents (å = ä = a), as its own unique
            // index on the column does.
            let accentBlind = backend == .mariadb
            for (name, accented) in [("älice", true), ("alice", true), ("_lice", false), ("ÅLICEA", false), ("東京都", false)] {
                let status = try await client.send(.post, "Users", user(name)).status
                #expect(status == (accented && accentBlind ? 409 : 201), "\(name)")
            }
            // A rename onto a taken name is refused as well.
            let other = try await client.createUser("bob")
            let renamed = try await client.patch("Users/\(other)", #"{"op":"replace","path":"userName","value":"ÄLICE"}"#)
            #expect(renamed.status == 409)
            #expect(renamed.scimType == "uniqueness")
            #expect(try fixture.column("SELECT COUNT(*) FROM \(fixture.quote(fixture.users))") == [accentBlind ? "7" : "9"])
        }
    }

    /// What a 409 says is taken, a lookup by the same name finds: a client that resolves a
    /// conflict by looking the user up (scimsync's SCIM target adopts it so) must find it.
    @Test("userName eq finds a name beyond ASCII in any case, as the uniqueness check does", arguments: Backend.allCases)
    func lookupBeyondASCII(backend: Backend) async throws {
        let fixture = try SCIMServerFixture(backend)
        try await fixture.withClient { client in
            let id = try await client.createUser("ÅSA.Öberg")
            _ = try await client.createUser("bob")
            for name in ["ÅSA.Öberg", "åsa.öberg", "Åsa.Öberg", "ÅSA.ÖBERG"] {
                let reply = try await client.send(.get, "Users?filter=\("userName eq \"\(name)\"".queryEncoded)")
                #expect(reply.status == 200)
                #expect(reply["totalResults"] == 1, "\(name)")
                #expect(reply["Resources"]?.arrayValue?.first?.objectValue?["id"]?.stringValue == id, "\(name)")
                let search = try await client.send(
                    .post, "Users/.search",
                    #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":\#(SCIMValue.string("userName eq \"\(name)\"").jsonString())}"#)
                #expect(search["totalResults"] == 1, "\(name)")
            }
            // Another name is not found, and the other users are not dragged in.
            let none = try await client.send(.get, "Users?filter=\("userName eq \"åsa.öberg2\"".queryEncoded)")
            #expect(none["totalResults"] == 0)
        }
    }

    @Test("bad bodies get SCIM errors and write nothing", arguments: [Backend.sqlite])
    func badBodies(backend: Backend) async throws {
        let fixture = try SCIMServerFixture(backend, maxBodyBytes: 2048)
        try await fixture.withClient { client in
            let noUserName = try await client.send(.post, "Users", #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"]}"#)
            #expect(noUserName.status == 400)
            #expect(noUserName.scimType == "invalidValue")
            let noSchemas = try await client.send(.post, "Users", #"{"userName":"x"}"#)
            #expect(noSchemas.status == 400)
            #expect(noSchemas.scimType == "invalidSyntax")
            let malformed = try await client.send(.post, "Users", #"{"schemas":["#)
            #expect(malformed.status == 400)
            #expect(malformed.scimType == "invalidSyntax")
            let large = try await client.send(
                .post, "Users",
                #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"\#(String(repeating: "x", count: 4000))"}"#)
            #expect(large.status == 413)
            #expect(large["schemas"] == [.string(SchemaURN.error)])
            // A group's displayName is optional (RFC 7643 §8.7.1), a user's userName is not.
            let nameless = try await client.send(.post, "Groups", #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"]}"#)
            #expect(nameless.status == 201)
            let badName = try await client.send(.post, "Groups", #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":5}"#)
            #expect(badName.scimType == "invalidValue")
            let tooLongForColumn = try await client.send(.get, "Users/does-not-exist")
            #expect(tooLongForColumn.status == 404)
            #expect(try fixture.column("SELECT COUNT(*) FROM \(fixture.quote(fixture.users))") == ["0"])
        }
    }

    @Test("PUT replaces attributes, clears omitted ones, keeps members unless given", arguments: Backend.allCases)
    func replace(backend: Backend) async throws {
        let fixture = try SCIMServerFixture(backend)
        try await fixture.withClient { client in
            let id = try await client.createUser("carol", mail: "carol@example.com")
            let reply = try await client.send(
                .put, "Users/\(id)",
                #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"carol2","name":{"givenName":"Carol"},"active":false}"#)
            #expect(reply.status == 200)
            #expect(reply["userName"] == "carol2")
            #expect(reply["emails"].isAbsent)
            #expect(reply["active"] == false)
            let users = fixture.quote(fixture.users)
            #expect(try fixture.column("SELECT mail FROM \(users)") == ["NULL"])
            #expect(try fixture.column("SELECT family_name FROM \(users)") == ["NULL"])

            let other = try await client.createUser("dave")
            let group = try await client.createGroup("staff", members: [id])
            let renamed = try await client.send(
                .put, "Groups/\(group)", #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Staff"}"#)
            #expect(renamed["displayName"] == "Staff")
            #expect(renamed["members"]?.arrayValue?.compactMap { $0.objectValue?["value"]?.stringValue } == [id])
            let swapped = try await client.send(
                .put, "Groups/\(group)",
                #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Staff","members":[{"value":"\#(other)"}]}"#)
            #expect(swapped["members"]?.arrayValue?.compactMap { $0.objectValue?["value"]?.stringValue } == [other])
            #expect(try fixture.column("SELECT user_id FROM \(fixture.quote(fixture.memberships))") == [other])

            let missing = try await client.send(
                .put, "Users/nope", #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"x"}"#)
            #expect(missing.status == 404)
        }
    }

    @Test("DELETE removes the user and its memberships; a second DELETE is a 404", arguments: Backend.allCases)
    func delete(backend: Backend) async throws {
        let fixture = try SCIMServerFixture(backend)
        try await fixture.withClient { client in
            let id = try await client.createUser("erin")
            let group = try await client.createGroup("g", members: [id])
            let reply = try await client.send(.delete, "Users/\(id)")
            #expect(reply.status == 204)
            #expect(try await client.send(.get, "Users/\(id)").status == 404)
            #expect(try await client.send(.delete, "Users/\(id)").status == 404)
            #expect(try fixture.column("SELECT COUNT(*) FROM \(fixture.quote(fixture.memberships))") == ["0"])
            #expect(try await client.send(.delete, "Groups/\(group)").status == 204)
            #expect(try fixture.column("SELECT COUNT(*) FROM \(fixture.quote(fixture.groups))") == ["0"])
        }
    }

    @Test("If-Match: a stale version is a 412 and changes nothing; the current one succeeds", arguments: Backend.allCases)
    func ifMatch(backend: Backend) async throws {
        let fixture = try SCIMServerFixture(backend)
        try await fixture.withClient { client in
            let id = try await client.createUser("frank")
            let etag = try #require(try await client.send(.get, "Users/\(id)").headers[.eTag])
            let replace = #"{"op":"replace","path":"title","value":"Boss"}"#
            #expect(try await client.patch("Users/\(id)", replace, headers: [.ifMatch: etag]).status == 200)
            let stale = try await client.patch("Users/\(id)", #"{"op":"replace","path":"title","value":"Intern"}"#, headers: [.ifMatch: etag])
            #expect(stale.status == 412)
            #expect(try fixture.column("SELECT title FROM \(fixture.quote(fixture.users))") == ["Boss"])
            #expect(try await client.send(.delete, "Users/\(id)", headers: [.ifMatch: etag]).status == 412)
        }
    }
}
