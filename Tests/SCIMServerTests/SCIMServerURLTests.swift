import HTTPTypes
import SCIM
import Testing

/// The URLs the server hands out (`Location`, `meta.location`, `$ref`) and the ids it reads
/// from paths.
@Suite("SCIM server: URLs")
struct SCIMServerURLTests {
    private static let proto = HTTPField.Name("X-Forwarded-Proto")!

    private func created(_ client: SCIMClient, headers: HTTPFields) async throws -> Reply {
        try await client.send(
            .post, "Users", #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ann"}"#, headers: headers)
    }

    @Test func aConfiguredPublicURLIsWhatClientsAreGiven() async throws {
        let fixture = try SCIMServerFixture(.sqlite, publicURL: "https://scim.example.com/dir/scim/v2/")
        try await fixture.withClient { client in
            let reply = try await created(client, headers: [.host: "internal:8080", Self.proto: "http"])
            let id = try #require(reply["id"]?.stringValue)
            let location = "https://scim.example.com/dir/scim/v2/Users/\(id)"
            #expect(reply.headers[.location] == location)
            #expect(reply["meta"]?.objectValue?["location"] == .string(location))
        }
    }

    @Test func forwardedHeadersAreBelievedOnlyWhenTrusted() async throws {
        let untrusting = try SCIMServerFixture(.sqlite)
        try await untrusting.withClient { client in
            let reply = try await created(client, headers: [.host: "scim.example.com", Self.proto: "https"])
            #expect(reply.headers[.location]?.hasPrefix("http://scim.example.com/scim/v2/Users/") == true)
            // A Host that is not a plain host name cannot smuggle a path or user info into URLs.
            let odd = try await client.send(.get, "ServiceProviderConfig", headers: [.host: "evil.example/@x"])
            #expect(odd["meta"]?.objectValue?["location"] == .string("http://localhost/scim/v2/ServiceProviderConfig"))
        }
        let trusting = try SCIMServerFixture(.sqlite, trustForwardedHeaders: true)
        try await trusting.withClient { client in
            let reply = try await created(client, headers: [.host: "scim.example.com", Self.proto: "https"])
            #expect(reply.headers[.location]?.hasPrefix("https://scim.example.com/scim/v2/Users/") == true)
        }
    }

    @Test func idsInPathsArePercentDecoded() async throws {
        let fixture = try SCIMServerFixture(.sqlite)
        try await fixture.withClient { client in
            let id = try await client.createUser("ann")
            let encoded = id.unicodeScalars.map { "%" + String($0.value, radix: 16, uppercase: true) }.joined()
            let read = try await client.send(.get, "Users/\(encoded)")
            #expect(read.status == 200)
            #expect(read["userName"] == .string("ann"))
            let broken = try await client.send(.get, "Users/%zz")
            #expect(broken.status == 400)
        }
    }
}
