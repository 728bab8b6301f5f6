import SCIM
import SCIMClient
import Testing
import TestSupport

/// Answers about another resource than the request named: the client says so instead of
/// passing them on as the resource asked for (a PATCH counted as applied that changed someone
/// else, a create mapped to nothing).
@Suite struct SCIMClientOtherResourceTests {
    static func user(_ id: String) -> String {
        #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"\#(id)","userName":"u-\#(id)"}"#
    }
    static let replace = [PatchOperation(op: .replace, path: AttributePath(attribute: "title"), value: .string("x"))]

    @Test func aPatchAnsweredWithAnotherResourceThrows() async throws {
        let provider = try await ScriptedProvider([.init(status: 200, body: Self.user("p2"))])
        let client = try SCIMClient(baseURL: provider.url, token: "t0ken-under-test")
        do {
            try await client.patch("p1", at: .users, Self.replace)
            Issue.record("an answer about p2 to a PATCH of p1 should throw")
        } catch {
            #expect(error == .otherResource(request: "PATCH /Users/p1", reason: "answered with resource p2"))
            #expect(!error.isTransient)
        }
        #expect(provider.received.count == 1, "not retried")
    }

    @Test func aPatchAnsweredWithItsOwnResourceOrNoBodyApplies() async throws {
        let provider = try await ScriptedProvider([
            .init(status: 200, body: Self.user("p1")), .init(status: 204),
        ])
        let client = try SCIMClient(baseURL: provider.url, token: "t0ken-under-test")
        #expect(try await client.patch("p1", at: .users, Self.replace))
        #expect(try await client.patch("p1", at: .users, Self.replace))
    }

    @Test func aGetAnsweredWithAnotherResourceThrows() async throws {
        let provider = try await ScriptedProvider([
            .init(status: 200, body: Self.user("P1")),
            .init(status: 200, body: #"{"id":7,"userName":"seven"}"#),
        ])
        let client = try SCIMClient(baseURL: provider.url, token: "t0ken-under-test")
        // Ids are case-exact (RFC 7643 §3.1).
        await #expect(throws: SCIMClientError.otherResource(request: "GET /Users/p1", reason: "answered with resource P1")) {
            try await client.get("p1", at: .users)
        }
        await #expect(throws: SCIMClientError.otherResource(request: "GET /Users/7", reason: "answered with an id that is not a string")) {
            try await client.get("7", at: .users)
        }
    }

    @Test func aCreateAnsweredWithoutAnIDThrows() async throws {
        let provider = try await ScriptedProvider([.init(status: 201, body: #"{"userName":"bjensen"}"#)])
        let client = try SCIMClient(baseURL: provider.url, token: "t0ken-under-test")
        await #expect(throws: SCIMClientError.otherResource(request: "POST /Users", reason: "the created resource has no id")) {
            try await client.create(SCIMResource(["userName": "bjensen"]), at: .users)
        }
    }
}
