import HTTPLimits
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SCIM
import SCIMServer
import TestSupport
import Testing

/// The URLs the server hands out (`Location`, `meta.location`, `$ref`) and the ids it reads
/// from paths.
@Suite("SCIM server: URLs")
struct SCIMServerURLTests {
    private static let proto = HTTPField.Name("X-Forwarded-Proto")!

    @Test func aConfiguredPublicURLIsWhatClientsAreGiven() async throws {
        let fixture = try SCIMServerFixture(.sqlite, publicURL: "https://scim.example.com/dir/scim/v2/")
        try await fixture.withClient { client in
            let reply = try await client.send(
                .post, "Users", #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ann"}"#,
                headers: [Self.proto: "http"])
            let id = try #require(reply["id"]?.stringValue)
            let location = "https://scim.example.com/dir/scim/v2/Users/\(id)"
            #expect(reply.headers[.location] == location)
            #expect(reply["meta"]?.objectValue?["location"] == .string(location))
        }
    }

    /// The `meta.location` of `/ServiceProviderConfig` for a request with `host` and an
    /// `X-Forwarded-Proto: https`, over a real connection (only a client on the wire chooses
    /// its Host).
    private func location(trusting: Bool, host: String) async throws -> String? {
        let fixture = try SCIMServerFixture(.sqlite, trustForwardedHeaders: trusting)
        let app = SCIMApplication.make(
            service: fixture.service, host: "127.0.0.1", port: 0, limits: HTTPServerLimits(idleTimeout: .seconds(60)))
        return try await app.test(.live) { client in
            let connection = try RawHTTPConnection(port: try #require(client.port))
            _ = await connection.send(
                "GET /scim/v2/ServiceProviderConfig HTTP/1.1\r\nHost: \(host)\r\nX-Forwarded-Proto: https\r\n"
                    + "Authorization: Bearer \(SCIMServerFixture.token)\r\nConnection: close\r\n\r\n")
            let response = try #require(await connection.readUntilClosed(limit: .seconds(120)))
            let body = try #require(response.range(of: "\r\n\r\n")).upperBound
            let json = try SCIMValue(json: Array(response[body...].utf8))
            return json.objectValue?["meta"]?.objectValue?["location"]?.stringValue
        }
    }

    @Test func forwardedHeadersAreBelievedOnlyWhenTrusted() async throws {
        #expect(
            try await location(trusting: false, host: "scim.example.com")
                == "http://scim.example.com/scim/v2/ServiceProviderConfig")
        #expect(
            try await location(trusting: true, host: "scim.example.com")
                == "https://scim.example.com/scim/v2/ServiceProviderConfig")
        // A Host that is not a plain host name cannot put a path or user info into URLs.
        #expect(
            try await location(trusting: false, host: "evil.example@x")
                == "http://localhost/scim/v2/ServiceProviderConfig")
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
