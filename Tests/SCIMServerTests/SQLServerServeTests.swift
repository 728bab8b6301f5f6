import HTTPTypes
import SCIM
import Testing

/// `scimsync serve` over SQL Server (the TDS test double), where T-SQL differs from the other
/// databases: LIKE's `[…]` character sets, negation without `IS NOT TRUE`, OFFSET … FETCH
/// pages, `]` in names, and errors that are SCIM error bodies.
@Suite("SCIM server: SQL Server")
struct SQLServerServeTests {
    private func names(_ reply: Reply) -> [String] {
        reply.resources.compactMap { $0["userName"]?.stringValue }
    }

    @Test func bracketsInAValueAreLiteral() async throws {
        let fixture = try SCIMServerFixture(.sqlserver)
        try await fixture.withClient { client in
            _ = try await client.createUser("x[ab]y", mail: "one@example.com")
            _ = try await client.createUser("xay", mail: "two@example.com")
            // Unescaped, `[ab]` would be a character set matching "xay" too.
            let contains = try await client.send(.get, "Users?filter=\(#"userName co "x[ab]y""#.queryEncoded)")
            #expect(contains.status == 200)
            #expect(names(contains) == ["x[ab]y"])
            let starts = try await client.send(.get, "Users?filter=\(#"userName sw "x[""#.queryEncoded)")
            #expect(names(starts) == ["x[ab]y"])
            let equal = try await client.send(.get, "Users?filter=\(#"userName eq "X[AB]Y""#.queryEncoded)")
            #expect(names(equal) == ["x[ab]y"], "userName is caseExact false: the column's _CI_ collation")
        }
    }

    @Test func negationAndPaging() async throws {
        let fixture = try SCIMServerFixture(.sqlserver)
        try await fixture.withClient { client in
            for name in ["ann", "bob", "cleo", "dan"] {
                _ = try await client.createUser(name, mail: name == "dan" ? nil : "\(name)@example.com")
            }
            // dan has no mail: `not (emails co "example")` holds for him (SCIM's evaluator), which
            // SQL's NOT alone would drop (NOT of UNKNOWN).
            let noMail = try await client.send(
                .get, "Users?filter=\(#"not (emails co "example") and not (not (userName pr))"#.queryEncoded)")
            #expect(names(noMail) == ["dan"])
            let page = try await client.send(.get, "Users?sortBy=userName&sortOrder=descending&startIndex=2&count=2")
            #expect(page["totalResults"] == .integer(4))
            #expect(page["startIndex"] == .integer(2))
            #expect(names(page) == ["cleo", "bob"])
            let empty = try await client.send(.get, "Users?count=0")
            #expect(empty.status == 200 && empty["totalResults"] == .integer(4) && empty.resources.isEmpty)
        }
    }

    @Test func malformedRequestsGetSCIMErrors() async throws {
        let fixture = try SCIMServerFixture(.sqlserver)
        try await fixture.withClient { client in
            let filter = try await client.send(.get, "Users?filter=\(#"userName eq"#.queryEncoded)")
            #expect(filter.status == 400)
            #expect(filter.scimType == "invalidFilter")
            #expect(filter["schemas"] == .array([.string("urn:ietf:params:scim:api:messages:2.0:Error")]))
            let body = try await client.send(.post, "Users", #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"#)
            #expect(body.status == 400)
            #expect(body.scimType == "invalidSyntax")
            let id = try await client.createUser("taken")
            let duplicate = try await client.send(
                .post, "Users", #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"TAKEN"}"#)
            #expect(duplicate.status == 409)
            #expect(duplicate.scimType == "uniqueness")
            let patch = try await client.send(
                .patch, "Users/\(id)",
                #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":"yes"}]}"#)
            #expect(patch.status == 400)
            #expect(patch.scimType != nil)
        }
    }
}
