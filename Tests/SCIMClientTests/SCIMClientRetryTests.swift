import Foundation
import SCIM
import SCIMClient
import Testing
import TestSupport

/// The client against a live HTTP server scripted to fail: 503 and 429 with Retry-After are
/// retried (honouring the header), other 4xx are not, and no answer at all is retried up to
/// the policy's limit. The token goes into the Authorization header and nowhere else.
@Suite struct SCIMClientRetryTests {
    static let created = #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"abc","userName":"bjensen"}"#
    static let fast = RetryPolicy(initialDelay: .milliseconds(10), maximumDelay: .milliseconds(50), maximumAttempts: 4)

    @Test func retries503And429HonouringRetryAfterThenSucceeds() async throws {
        let provider = try await ScriptedProvider([
            .init(status: 503),
            .init(status: 429, retryAfter: "1"),
            .init(status: 201, body: Self.created),
        ])
        let client = try SCIMClient(baseURL: provider.url, token: "t0ken-under-test", policy: Self.fast)
        let outcome = try await client.create(SCIMResource(["userName": "bjensen"]), at: .users)
        #expect(outcome == .created(SCIMResource(try #require(SCIMValue(json: Self.created).objectValue))))
        let received = provider.received
        #expect(received.count == 3)
        #expect(received.allSatisfy { $0.method == "POST" && $0.path == "/Users" })
        #expect(received.allSatisfy { $0.authorization == "Bearer t0ken-under-test" })
        // The wait after the 429 is the provider's second, not the 10 ms backoff.
        let wait = received[2].at - received[1].at
        #expect(wait >= .milliseconds(950), "waited \(wait)")
    }

    @Test func aClientErrorIsNotRetriedAndCarriesTheProvidersDetail() async throws {
        let provider = try await ScriptedProvider([
            .init(
                status: 400,
                body: #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","scimType":"invalidValue","detail":"userName is required"}"#),
        ])
        let client = try SCIMClient(baseURL: provider.url, token: "t0ken-under-test", policy: Self.fast)
        do {
            _ = try await client.create(SCIMResource(["displayName": "x"]), at: .users)
            Issue.record("a 400 should throw")
        } catch {
            #expect(error.status == 400)
            #expect(error.scimType == .invalidValue)
            #expect(!error.isTransient)
            #expect("\(error)" == "the SCIM provider answered POST /Users with HTTP 400 (invalidValue): userName is required")
        }
        #expect(provider.received.count == 1)
    }

    @Test func serverErrorsUntilTheAttemptsAreUsedUp() async throws {
        let provider = try await ScriptedProvider([.init(status: 502)])
        let client = try SCIMClient(baseURL: provider.url, token: "t0ken-under-test", policy: Self.fast)
        do {
            _ = try await client.get("abc", at: .users)
            Issue.record("a provider answering 502 for ever should throw")
        } catch {
            #expect(error == .provider(request: "GET /Users/abc", status: 502, error: nil, attempts: 4))
            #expect(error.isTransient)
        }
        #expect(provider.received.count == 4)
    }

    @Test func noAnswerIsRetriedThenReportedWithoutTheToken() async throws {
        let port = try TestServers.refusingPort()
        // A short timeout: the connection pool keeps trying a refused connection until then.
        let client = try SCIMClient(
            baseURL: "http://127.0.0.1:\(port)/scim/v2", token: "t0ken-under-test", policy: Self.fast,
            timeout: .milliseconds(300))
        do {
            _ = try await client.search(.users, filter: #"userName eq "bjensen""#)
            Issue.record("a closed port should throw")
        } catch {
            guard case .unreachable(let request, _, let attempts) = error else {
                Issue.record("expected unreachable, got \(error)")
                return
            }
            #expect(request == "GET /Users?filter=…&startIndex=…")
            #expect(attempts == 4)
            #expect(!"\(error)".contains("t0ken"))
            #expect(!"\(error)".contains("bjensen"))
        }
        #expect(!"\(client)".contains("t0ken"))
    }

    /// A body that comes a byte at a time never ends the client's reads: the attempt as a
    /// whole is bounded by the timeout, then retried, then reported.
    @Test func anAnswerThatTricklesInTimesOut() async throws {
        let body = #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"Resources":[]}"#
        let provider = try await ScriptedProvider([.init(status: 200, body: body, trickle: .milliseconds(200))])
        let client = try SCIMClient(
            baseURL: provider.url + "/scim/v2", token: "t0ken-under-test", policy: Self.fast, timeout: .milliseconds(500))
        let started = ContinuousClock.now
        do {
            _ = try await client.search(.users, filter: nil)
            Issue.record("a trickling answer should time out")
        } catch {
            guard case .unreachable(_, let reason, let attempts) = error else {
                Issue.record("expected unreachable, got \(error)")
                return
            }
            #expect(reason.contains("no whole answer within"), "\(reason)")
            #expect(attempts == 4)
        }
        // Four attempts of half a second, not 4 x 19 s of trickling; a bound a loaded machine keeps.
        #expect(ContinuousClock.now - started < .seconds(60))
        #expect(provider.received.count == 4)
    }

    /// An answer larger than any SCIM answer needs is refused at once, not fetched again.
    @Test func anAnswerTooLargeIsNotFetchedAgain() async throws {
        let provider = try await ScriptedProvider([.init(status: 200, body: String(repeating: " ", count: (64 << 20) + 10))])
        let client = try SCIMClient(baseURL: provider.url + "/scim/v2", token: "t0ken-under-test", policy: Self.fast)
        do {
            _ = try await client.search(.users, filter: nil)
            Issue.record("a 64 MiB answer should be refused")
        } catch {
            guard case .invalidResponse(_, let reason) = error else {
                Issue.record("expected invalidResponse, got \(error)")
                return
            }
            #expect(reason.contains("larger than 64 MiB"), "\(reason)")
        }
        #expect(provider.received.count == 1)
    }

    /// A provider that ignores startIndex answers every page with the first one, and a total
    /// that lies would keep the read going for ever: the repeated page ends it with the reason.
    @Test func aPageThatRepeatsEndsTheRead() async throws {
        let page = #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":1000000000,"#
            + #""Resources":[{"id":"a","userName":"a"},{"id":"b","userName":"b"}]}"#
        let provider = try await ScriptedProvider([.init(status: 200, body: page)])
        let client = try SCIMClient(baseURL: provider.url + "/scim/v2", token: "t0ken-under-test", policy: Self.fast)
        var pages = 0
        do {
            try await client.forEachPage(.users, pageSize: 2) { _ in pages += 1 }
            Issue.record("an endless read should fail")
        } catch {
            guard case .invalidResponse(_, let reason)? = error as? SCIMClientError else {
                Issue.record("expected invalidResponse, got \(error)")
                return
            }
            #expect(reason.contains("repeats the page before it"), "\(reason)")
        }
        #expect(pages == 1 && provider.received.count == 2)
    }

    @Test func filtersArriveIntact() async throws {
        let provider = try await ScriptedProvider([
            .init(status: 200, body: #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"Resources":[]}"#)
        ])
        let client = try SCIMClient(baseURL: provider.url + "/", token: "t", policy: Self.fast)
        let filter = #"userName eq "a+b c&d=\"e\"""#
        let list = try await client.search(.users, filter: filter, startIndex: 3, count: 7)
        #expect(list.totalResults == 0)
        #expect(provider.received.first?.query == ["filter": filter, "startIndex": "3", "count": "7"])
    }

    @Test func aURLThatIsNotHTTPIsRefused() {
        #expect(throws: SCIMClientError.self) { try SCIMClient(baseURL: "idp.example.com/scim", token: "t") }
    }
}
