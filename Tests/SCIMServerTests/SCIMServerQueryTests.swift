import HTTPTypes
import SCIM
import Testing

/// Lists, filters translated to SQL, paging, sorting and attribute selection, on each database.
@Suite("SCIM server: queries")
struct SCIMServerQueryTests {
    /// Five users: ann (work mail at a.example), bob, Cleo (inactive), dan, eve (no mail).
    private func seed(_ client: SCIMClient) async throws -> [String: String] {
        var ids: [String: String] = [:]
        ids["ann"] = try await client.createUser("ann", given: "Ann", mail: "ann@a.example")
        ids["bob"] = try await client.createUser("bob", given: "Bob", mail: "bob@b.example")
        ids["cleo"] = try await client.createUser("Cleo", given: "Cleo", mail: "cleo@a.example", active: false)
        ids["dan"] = try await client.createUser("dan", given: "Dan", mail: "dan_x@b.example")
        ids["eve"] = try await client.createUser("eve", given: "Eve")
        return ids
    }

    private func names(_ reply: Reply) -> [String] {
        reply.resources.compactMap { $0["userName"]?.stringValue }
    }

    private func filtered(_ client: SCIMClient, _ filter: String, _ extra: String = "") async throws -> Reply {
        try await client.send(.get, "Users?filter=\(filter.queryEncoded)&sortBy=userName\(extra)")
    }

    @Test("filters become SQL with the SCIM evaluator's meaning", arguments: Backend.allCases)
    func filters(backend: Backend) async throws {
        let fixture = try SCIMServerFixture(backend)
        try await fixture.withClient { client in
            _ = try await seed(client)
            #expect(names(try await filtered(client, #"userName eq "CLEO""#)) == ["Cleo"])
            #expect(names(try await filtered(client, #"userName sw "d""#)) == ["dan"])
            #expect(names(try await filtered(client, #"emails co "@a.example""#)) == ["ann", "Cleo"])
            #expect(names(try await filtered(client, #"emails.value ew "b.example""#)) == ["bob", "dan"])
            // LIKE's wildcards in a value are literal.
            #expect(names(try await filtered(client, #"emails co "_x@""#)) == ["dan"])
            #expect(names(try await filtered(client, #"emails co "n_x""#)) == ["dan"])
            #expect(names(try await filtered(client, #"emails co "a%""#)) == [])
            #expect(names(try await filtered(client, #"emails pr"#)) == ["ann", "bob", "Cleo", "dan"])
            #expect(names(try await filtered(client, #"not (emails pr)"#)) == ["eve"])
            #expect(names(try await filtered(client, #"active eq false"#)) == ["Cleo"])
            #expect(names(try await filtered(client, #"active eq true and (name.givenName eq "bob" or userName eq "eve")"#)) == ["bob", "eve"])
            // `not` of a comparison on an absent attribute is true (eve has no mail).
            #expect(names(try await filtered(client, #"not (emails co "b.example")"#)) == ["ann", "Cleo", "eve"])
            #expect(names(try await filtered(client, #"emails[type eq "work" and value co "a.example"]"#)) == ["ann", "Cleo"])
            #expect(names(try await filtered(client, #"emails[type eq "home"]"#)) == [])
            // The type the map fixes answers for the elements that are there (/Schemas lists
            // emails.type): eve, with no mail, has no work email.
            #expect(names(try await filtered(client, #"emails.type eq "work""#)) == ["ann", "bob", "Cleo", "dan"])
            #expect(names(try await filtered(client, #"emails.type eq "home""#)) == [])
            #expect(names(try await filtered(client, #"not (emails.type eq "work")"#)) == ["eve"])
            #expect(names(try await filtered(client, #"userName gt "c" and userName lt "e""#)) == ["Cleo", "dan"])
            #expect(names(try await filtered(client, #"title eq null"#)).count == 5)
            #expect(names(try await filtered(client, #"urn:ietf:params:scim:schemas:core:2.0:User:userName eq "ann""#)) == ["ann"])

            let unmapped = try await filtered(client, #"nickName eq "x""#)
            #expect(unmapped.status == 400)
            #expect(unmapped.scimType == "invalidFilter")
            #expect(unmapped["detail"]?.stringValue?.contains("userName") == true)
            let ordered = try await filtered(client, #"active gt true"#)
            #expect(ordered.status == 400)
            #expect(ordered.scimType == "invalidFilter")
            let syntax = try await filtered(client, #"userName eq"#)
            #expect(syntax.status == 400)
            #expect(syntax.scimType == "invalidFilter")
            // No SQL in a response.
            #expect(syntax["detail"]?.stringValue?.uppercased().contains("SELECT") == false)
        }
    }

    @Test("paging counts every match; sortBy and sortOrder order the pages", arguments: Backend.allCases)
    func paging(backend: Backend) async throws {
        let fixture = try SCIMServerFixture(backend, maxPageSize: 3)
        try await fixture.withClient { client in
            _ = try await seed(client)
            let page = try await client.send(.get, "Users?sortBy=userName&sortOrder=descending&startIndex=2&count=2")
            #expect(page["totalResults"] == 5)
            #expect(page["startIndex"] == 2)
            #expect(page["itemsPerPage"] == 2)
            #expect(names(page) == ["dan", "Cleo"])
            let capped = try await client.send(.get, "Users?count=100")
            #expect(capped.resources.count == 3)
            #expect(capped["totalResults"] == 5)
            let countOnly = try await client.send(.get, "Users?count=0&filter=\("active eq true".queryEncoded)")
            #expect(countOnly["totalResults"] == 4)
            #expect(countOnly.resources.isEmpty)
            let beyond = try await client.send(.get, "Users?startIndex=9")
            #expect(beyond["totalResults"] == 5)
            #expect(beyond.resources.isEmpty)
            let search = try await client.send(
                .post, "Users/.search",
                #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"userName sw \"e\"","attributes":["userName"],"startIndex":1,"count":10}"#)
            #expect(search.status == 200)
            #expect(search.resources.map { $0.keys } == [["schemas", "id", "userName"]])
        }
    }

    @Test("attributes and excludedAttributes; members are read only when returned", arguments: Backend.allCases)
    func selection(backend: Backend) async throws {
        let fixture = try SCIMServerFixture(backend)
        try await fixture.withClient { client in
            let ids = try await seed(client)
            let group = try await client.createGroup("all", members: Array(ids.values))
            let one = try await client.send(.get, "Users?filter=\(#"userName eq "ann""#.queryEncoded)&attributes=name.givenName,emails.value")
            #expect(one.resources.first?.keys == ["schemas", "id", "name", "emails"])
            #expect(one.resources.first?["name"] == ["givenName": "Ann"])
            #expect(one.resources.first?["emails"] == [["value": "ann@a.example"]])
            let groups = try await client.send(.get, "Groups?excludedAttributes=members")
            #expect(groups.resources.count == 1)
            #expect(groups.resources.first?["members"] == nil)
            // Without its members read, a group has no version to offer.
            #expect(groups.resources.first?["meta"]?.objectValue?["version"] == nil)
            let full = try await client.send(.get, "Groups/\(group)")
            #expect(full["members"]?.arrayValue?.count == 5)
            #expect(full["meta"]?.objectValue?["version"] != nil)
            let user = try await client.send(.get, "Users/\(try #require(ids["bob"]))")
            #expect(user["groups"]?.arrayValue?.first?.objectValue?["value"]?.stringValue == group)
            let second = try await client.createGroup("pair", members: [try #require(ids["bob"]), try #require(ids["ann"])])
            let listed = try await client.send(.get, "Users?filter=\(#"userName eq "bob" or userName eq "eve""#.queryEncoded)&sortBy=userName")
            let bobGroups = listed.resources.first?["groups"]?.arrayValue?.compactMap { $0.objectValue?["value"]?.stringValue }
            #expect(Set(bobGroups ?? []) == [group, second])
            #expect(listed.resources.last?["groups"]?.arrayValue?.count == 1)
            let byMember = try await client.send(.get, "Groups?filter=\(#"members.value eq "\#(ids["bob"] ?? "")""#.queryEncoded)&excludedAttributes=members")
            #expect(Set(byMember.resources.compactMap { $0["id"]?.stringValue }) == [group, second])
            let noMember = try await client.send(.get, "Groups?filter=\(#"members eq "nobody""#.queryEncoded)")
            #expect(noMember["totalResults"] == 0)
        }
    }

    @Test("authentication is required; the token compares exactly", arguments: [Backend.sqlite])
    func authentication(backend: Backend) async throws {
        let fixture = try SCIMServerFixture(backend)
        try await fixture.withClient { client in
            for token in [nil, "wrong", String(SCIMServerFixture.token.dropLast()), SCIMServerFixture.token + "x"] {
                let reply = try await client.send(.get, "Users", token: token)
                #expect(reply.status == 401)
                #expect(reply.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
                #expect(reply["schemas"] == [.string(SchemaURN.error)])
            }
            #expect(try await client.send(.get, "ServiceProviderConfig", token: nil).status == 401)
            #expect(try await client.send(.get, "Users").status == 200)
        }
        let open = try SCIMServerFixture(backend, token: nil)
        try await open.withClient { client in
            #expect(try await client.send(.get, "Users", token: nil).status == 200)
            let config = try await client.send(.get, "ServiceProviderConfig", token: nil)
            #expect(config["authenticationSchemes"] == [])
        }
    }

    @Test("discovery describes exactly what the layout stores", arguments: [Backend.sqlite])
    func discovery(backend: Backend) async throws {
        let fixture = try SCIMServerFixture(backend)
        try await fixture.withClient { client in
            let config = try await client.send(.get, "ServiceProviderConfig")
            #expect(config["patch"] == ["supported": true])
            #expect(config["etag"] == ["supported": true])
            #expect(config["bulk"]?.objectValue?["supported"] == false)
            #expect(config["filter"]?.objectValue?["supported"] == true)
            let schemas = try await client.send(.get, "Schemas")
            let user = try #require(schemas.resources.first { $0["id"]?.stringValue == SchemaURN.user })
            let attributes = user["attributes"]?.arrayValue?.compactMap { $0.objectValue?["name"]?.stringValue } ?? []
            #expect(attributes.contains("userName"))
            #expect(attributes.contains("groups"))
            #expect(!attributes.contains("nickName"))
            let emails = user["attributes"]?.arrayValue?.compactMap(\.objectValue).first { $0["name"] == "emails" }
            let emailSubs = emails?["subAttributes"]?.arrayValue?.compactMap { $0.objectValue?["name"]?.stringValue }
            #expect(emailSubs == ["value", "type"])
            #expect(schemas.resources.contains { $0["id"]?.stringValue == SchemaURN.enterpriseUser })
            let one = try await client.send(.get, "Schemas/\(SchemaURN.group)")
            #expect(one["id"]?.stringValue == SchemaURN.group)
            let types = try await client.send(.get, "ResourceTypes")
            #expect(types.resources.compactMap { $0["endpoint"]?.stringValue } == ["/Users", "/Groups"])
            #expect(try await client.send(.get, "Nothing").status == 404)
            #expect(try await client.send(.post, "Bulk", "{}").status == 501)
            for method in [HTTPRequest.Method.post, .put, .patch, .delete] {
                let refused = try await client.send(method, "Schemas", "{}")
                #expect(refused.status == 405)
                #expect(refused.headers[.allow] == "GET, HEAD")
            }
            #expect(try await client.send(.delete, "ServiceProviderConfig").status == 405)
        }
    }
}
