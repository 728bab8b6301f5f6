import Foundation
import HTTPTypes
import HTTPLimits
import Hummingbird
import SCIM
@testable import SCIMServer
import TestSupport
import Testing

/// HTTP itself, over real sockets: requests the HTTP decoder refuses get a SCIM error body,
/// HEAD is GET without content, a method a path does not take is a 405 with `Allow`, and the
/// Bearer credentials take RFC 6750's spelling.
@Suite("SCIM server: HTTP protocol")
struct SCIMServerProtocolTests {
    /// Timeouts far beyond any test's bound: only the server's answer may end a request.
    private static let patient = HTTPServerLimits(
        headerTimeout: .seconds(600), bodyTimeout: .seconds(600), idleTimeout: .seconds(600))

    private func withServer(_ body: @Sendable (Int) async throws -> Void) async throws {
        let service = try SCIMServerFixture(.sqlite).service
        try await withListeningServer({ onServerRunning in
            SCIMApplication.make(
                service: service, host: "127.0.0.1", port: 0, limits: Self.patient, onServerRunning: onServerRunning)
        }, body)
    }

    private static let auth = "Authorization: Bearer \(SCIMServerFixture.token)\r\n"

    /// The answer's status line, header fields (lower-cased names) and body.
    private struct Answer {
        let status: String
        let headers: [String: String]
        let body: String

        init(_ text: String) {
            let parts = text.components(separatedBy: "\r\n\r\n")
            let head = parts[0].components(separatedBy: "\r\n")
            status = head[0]
            var headers: [String: String] = [:]
            for line in head.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            self.headers = headers
            body = parts.dropFirst().joined(separator: "\r\n\r\n")
        }

        var json: SCIMObject? { (try? SCIMValue(json: Array(body.utf8)))?.objectValue }
    }

    /// Sends `request` on a new connection and reads until the server closes it, the client
    /// closing its side first so that a server that waits for it closes too.
    private func exchange(_ port: Int, _ request: String) async throws -> Answer {
        let connection = try RawHTTPConnection(port: port)
        #expect(await connection.send(request))
        connection.closeSending()
        return Answer(try #require(await connection.readUntilClosed(limit: .seconds(300))))
    }

    @Test(arguments: [
        "GET /scim/v2/Users HTTP/1.1 FOO\r\nHost: x\r\n\r\n",
        "GET /scim/v2/Users HTTP/1.1\r\nHost: x\r\nEvil\0Name: 1\r\n\r\n",
        "GET /scim/v2/Users HTTP/9.9\r\nHost: x\r\n\r\n",
        "POST /scim/v2/Users HTTP/1.1\r\nHost: x\r\nContent-Length: x1Z\r\n\r\n",
    ])
    func aRequestTheDecoderRefusesGetsASCIMError(_ request: String) async throws {
        try await withServer { port in
            let answer = try await exchange(port, request)
            #expect(answer.status == "HTTP/1.1 400 Bad Request", "\(answer.status)")
            #expect(answer.headers["content-type"] == "application/scim+json")
            #expect(answer.headers["connection"] == "close")
            #expect(answer.headers["content-length"] == String(answer.body.utf8.count))
            let error = try #require(answer.json, "\(answer.body)")
            #expect(error["schemas"]?.arrayValue?.first?.stringValue == "urn:ietf:params:scim:api:messages:2.0:Error")
            #expect(error["status"]?.stringValue == "400")
            #expect(error["scimType"]?.stringValue == "invalidSyntax")
            // The detail names the problem without repeating what the client sent.
            let detail = try #require(error["detail"]?.stringValue)
            #expect(!detail.contains("FOO") && !detail.contains("Evil") && !detail.contains("x1Z"), "\(detail)")
        }
    }

    /// RFC 9110 §9.1: an unrecognized method is a 501, not a malformed request.
    @Test func aMethodTheServerDoesNotKnowIsA501() async throws {
        try await withServer { port in
            let answer = try await exchange(port, "BREW /scim/v2/Users HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(answer.status == "HTTP/1.1 501 Not Implemented", "\(answer.status)")
            let error = try #require(answer.json, "\(answer.body)")
            #expect(error["status"]?.stringValue == "501")
            #expect(error["scimType"] == nil)
            #expect(error["detail"]?.stringValue?.contains("RFC 9110 §9.1") == true)
        }
    }

    @Test func aHeadLargerThanTheDecoderTakesIsA431() async throws {
        try await withServer { port in
            let answer = try await exchange(
                port, "GET /scim/v2/Users HTTP/1.1\r\nHost: x\r\nX-Large: \(String(repeating: "a", count: 90_000))\r\n\r\n")
            #expect(answer.status == "HTTP/1.1 431 Request Header Fields Too Large", "\(answer.status)")
            let error = try #require(answer.json, "\(answer.body)")
            #expect(error["status"]?.stringValue == "431")
            #expect(error["detail"]?.stringValue?.contains("80 KiB") == true)
        }
    }

    @Test func aBrokenRequestAfterAGoodOneOnTheSameConnection() async throws {
        try await withServer { port in
            let text = try await exchange(
                port,
                "GET /scim/v2/ServiceProviderConfig HTTP/1.1\r\nHost: x\r\n\(Self.auth)\r\n"
                    + "GET /scim/v2/Users HTTP/1.1\r\nHost: x\r\nBad\0Name: 1\r\n\r\n")
            // The first is answered whole, then the second with its SCIM error.
            #expect(text.status == "HTTP/1.1 200 OK", "\(text.status)")
            let second = try #require(text.body.range(of: "HTTP/1.1 400 Bad Request"), "\(text.body.suffix(400))")
            let error = Answer(String(text.body[second.lowerBound...]))
            #expect(error.json?["scimType"]?.stringValue == "invalidSyntax", "\(error.body)")
        }
    }

    @Test func headIsGetWithoutContent() async throws {
        try await withServer { port in
            let get = try await exchange(
                port, "GET /scim/v2/ServiceProviderConfig HTTP/1.1\r\nHost: x\r\n\(Self.auth)Connection: close\r\n\r\n")
            let head = try await exchange(
                port, "HEAD /scim/v2/ServiceProviderConfig HTTP/1.1\r\nHost: x\r\n\(Self.auth)Connection: close\r\n\r\n")
            #expect(get.status == "HTTP/1.1 200 OK")
            #expect(head.status == "HTTP/1.1 200 OK", "\(head.status)")
            #expect(head.headers["content-type"] == "application/scim+json")
            #expect(head.headers["content-length"] == String(get.body.utf8.count))
            #expect(head.body.isEmpty, "\(head.body.prefix(200))")
            // Authentication holds for HEAD as for GET.
            let anonymous = try await exchange(
                port, "HEAD /scim/v2/Users HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(anonymous.status == "HTTP/1.1 401 Unauthorized", "\(anonymous.status)")
            #expect(anonymous.body.isEmpty)
        }
    }

    @Test(arguments: [
        ("PUT", "Users", "GET, HEAD, POST"),
        ("DELETE", "Groups", "GET, HEAD, POST"),
        ("POST", "Users/2819c223", "GET, HEAD, PUT, PATCH, DELETE"),
        ("GET", "Users/.search", "POST"),
        ("GET", ".search", "POST"),
        ("OPTIONS", "Schemas", "GET, HEAD"),
        ("PATCH", "ResourceTypes/User", "GET, HEAD"),
    ])
    func aMethodThePathDoesNotTakeIsA405(_ method: String, _ path: String, _ allow: String) async throws {
        try await withServer { port in
            let body = method == "GET" || method == "OPTIONS" ? "" : "{}"
            let answer = try await exchange(
                port,
                "\(method) /scim/v2/\(path) HTTP/1.1\r\nHost: x\r\n\(Self.auth)Content-Type: application/scim+json\r\n"
                    + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
            #expect(answer.status == "HTTP/1.1 405 Method Not Allowed", "\(method) \(path): \(answer.status)")
            #expect(answer.headers["allow"] == allow)
            #expect(answer.json?["status"]?.stringValue == "405")
        }
    }

    @Test func bearerCredentialsAsRFC6750SpellsThem() async throws {
        try await withServer { port in
            let token = SCIMServerFixture.token
            for (authorization, status) in [
                ("Bearer \(token)", "200"), ("Bearer   \(token)", "200"), ("bearer \(token)", "200"),
                ("BEARER \(token)", "200"), ("Bearer", "401"), ("Bearer ", "401"), ("Bearer\(token)", "401"),
                ("Basic \(token)", "401"), ("Bearer \(token)x", "401"), ("Bearer \(token.dropLast())", "401"),
            ] {
                let answer = try await exchange(
                    port,
                    "GET /scim/v2/ServiceProviderConfig HTTP/1.1\r\nHost: x\r\nAuthorization: \(authorization)\r\n"
                        + "Connection: close\r\n\r\n")
                #expect(answer.status.hasPrefix("HTTP/1.1 \(status)"), "\(authorization.prefix(12)): \(answer.status)")
            }
        }
    }

    @Test func meIsA501() async throws {
        // RFC 7644 §3.11: a provider without /Me "SHOULD respond with HTTP status code 501".
        let fixture = try SCIMServerFixture(.sqlite)
        try await fixture.withClient { client in
            for method in [HTTPRequest.Method.get, .put, .patch, .delete, .post] {
                let reply = try await client.send(method, "Me", method == .get || method == .delete ? nil : "{}")
                #expect(reply.status == 501, "\(method)")
                #expect(reply["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"])
                #expect(reply["detail"]?.stringValue?.contains("/Me") == true)
            }
            #expect(try await client.send(.get, "Me", token: nil).status == 401)
        }
    }
}
