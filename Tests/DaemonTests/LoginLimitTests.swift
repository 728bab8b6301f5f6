import Daemon
import Foundation
import Synchronization
import Testing

@testable import AdminPage

/// Failed logins are limited per client address.
@Suite("login limit")
struct LoginLimitTests {
    /// A clock moved by hand.
    final class ManualClock: Sendable {
        let seconds = Mutex(1000.0)
        func advance(_ by: Double) { seconds.withLock { $0 += by } }
    }

    @Test func eachAddressMayFailABurstThenOncePerRefill() {
        let clock = ManualClock()
        let limiter = LoginLimiter(burst: 3, refillSeconds: 60, now: { clock.seconds.withLock { $0 } })
        for _ in 0..<3 {
            #expect(limiter.retryAfter(client: "10.0.0.1") == nil)
            limiter.failed(client: "10.0.0.1")
        }
        #expect(limiter.retryAfter(client: "10.0.0.1") == 60)
        // Another address is not slowed down by the first one's failures.
        #expect(limiter.retryAfter(client: "10.0.0.2") == nil)
        clock.advance(45)
        #expect(limiter.retryAfter(client: "10.0.0.1") == 15)
        clock.advance(15)
        #expect(limiter.retryAfter(client: "10.0.0.1") == nil)
        limiter.failed(client: "10.0.0.1")
        #expect(limiter.retryAfter(client: "10.0.0.1") == 60)
        // A full refill forgets nothing it should remember, and no more than the burst is kept.
        clock.advance(3600)
        for _ in 0..<3 { limiter.failed(client: "10.0.0.1") }
        #expect(limiter.retryAfter(client: "10.0.0.1") == 60)
    }

    @Test func theTableOfAddressesIsBounded() {
        let clock = ManualClock()
        let limiter = LoginLimiter(burst: 2, refillSeconds: 10, maxClients: 100, now: { clock.seconds.withLock { $0 } })
        for index in 0..<1000 {
            limiter.failed(client: "10.0.\(index / 256).\(index % 256)")
            clock.advance(0.001)
        }
        #expect(limiter.trackedClients <= 100)
        // The newest address is still remembered.
        limiter.failed(client: "10.0.3.231")
        #expect(limiter.retryAfter(client: "10.0.3.231") != nil)
    }

    @Test func theLoginFormAnswers429WithRetryAfterOnceTheBurstIsSpent() async throws {
        let fixture = try AdminPageTests.Fixture()
        try await fixture.serve(loginLimit: LoginLimiter(burst: 2, refillSeconds: 3600)) { client in
            for _ in 0..<2 {
                #expect(try await client.send(.POST, "/admin/login", form: "token=guess").status == 401)
            }
            let limited = try await client.send(.POST, "/admin/login", form: "token=guess")
            #expect(limited.status == 429)
            let retryAfter = try #require(limited.headers["retry-after"].flatMap { Int($0) })
            #expect(retryAfter > 3000 && retryAfter <= 3600)
            #expect(limited.text.contains("Too many failed logins from your address."))
            #expect(limited.headers["set-cookie"] == nil)
            // Even the right token waits: the token is not compared while the address is limited.
            let right = try await client.send(.POST, "/admin/login", form: "token=\(AdminPageTests.token)&name=Ada")
            #expect(right.status == 429)
            #expect(right.headers["set-cookie"] == nil)
            // A bearer token is a login too: from this address, it waits as well.
            let bearer = try await client.send(.GET, "/admin", bearer: AdminPageTests.token)
            #expect(bearer.status == 429)
            #expect(bearer.headers["retry-after"].flatMap { Int($0) } != nil)
            // Without credentials, the page still leads to the login form.
            #expect(try await client.send(.GET, "/admin").status == 303)
        }
    }

    @Test func wrongBearerTokensTakeFromTheSameBucketAsTheForm() async throws {
        let fixture = try AdminPageTests.Fixture()
        try await fixture.serve(loginLimit: LoginLimiter(burst: 3, refillSeconds: 3600)) { client in
            // The right bearer token is never counted.
            for _ in 0..<5 { #expect(try await client.send(.GET, "/admin", bearer: AdminPageTests.token).status == 200) }
            #expect(try await client.send(.GET, "/admin/journal", bearer: "guess-1").status == 303)
            #expect(try await client.send(.GET, "/metrics", bearer: "guess-2").status == 200)  // open: not a login
            #expect(try await client.send(.POST, "/admin/login", form: "token=guess-3").status == 401)
            #expect(try await client.send(.GET, "/feeds", bearer: "guess-4").status == 401)
            let limited = try await client.send(.GET, "/feeds", bearer: "guess-5")
            #expect(limited.status == 429)
            #expect(limited.headers["retry-after"].flatMap { Int($0) } != nil)
            // The API answers in JSON, as its other errors do.
            #expect(limited.headers["content-type"] == "application/json; charset=utf-8")
            #expect(limited.text.hasPrefix(#"{"error":"too many requests with a wrong token from this address"#), "\(limited.text)")
            #expect(try await client.send(.POST, "/admin/login", form: "token=\(AdminPageTests.token)").status == 429)
        }
    }

    /// `Bearer`, one or more spaces, the token (RFC 6750 §2.1), the scheme in any case.
    @Test func theAdminTokenAsRFC6750SpellsIt() async throws {
        let fixture = try AdminPageTests.Fixture()
        try await fixture.serve(loginLimit: LoginLimiter(burst: 100, refillSeconds: 3600)) { client in
            let spaced = try await client.send(.GET, "/admin", bearer: "   " + AdminPageTests.token)
            #expect(spaced.status == 200, "\(spaced.text)")
            let wrong = try await client.send(.GET, "/metrics-none", bearer: AdminPageTests.token + "x")
            #expect(wrong.status == 401)
        }
    }

    @Test func rightLoginsAreNeverCounted() async throws {
        let fixture = try AdminPageTests.Fixture()
        try await fixture.serve(loginLimit: LoginLimiter(burst: 1, refillSeconds: 3600)) { client in
            for _ in 0..<5 { _ = try await client.logIn(name: "Ada") }
            #expect(try await client.send(.POST, "/admin/login", form: "token=guess").status == 401)
            #expect(try await client.send(.POST, "/admin/login", form: "token=guess").status == 429)
        }
    }
}
