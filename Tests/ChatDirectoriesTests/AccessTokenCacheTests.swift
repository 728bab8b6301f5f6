import ChatDirectories
import Clocks
import Synchronization
import TestSupport
import Testing

/// The token cache on a test clock: when it fetches, what it shares, what it never prints.
@Suite struct AccessTokenCacheTests {
    /// Hands out `t-secret-1`, `t-secret-2` ... living `lifetime`; counts the fetches.
    final class Endpoint: Sendable {
        let issued = Mutex(0)
        let lifetime: Duration

        init(lifetime: Duration = .seconds(7200)) {
            self.lifetime = lifetime
        }

        func fetch() -> TokenGrant {
            let number = issued.withLock { $0 += 1; return $0 }
            return TokenGrant(token: AccessToken("t-secret-\(number)"), lifetime: lifetime)
        }
    }

    @Test func fetchedOnFirstUseKeptWhileFreshReplacedBeforeItsEnd() async throws {
        let clock = TestClock()
        let endpoint = Endpoint()
        let cache = AccessTokenCache(clock: clock, margin: .seconds(300)) { endpoint.fetch() }
        #expect(await cache.fetches == 0)
        #expect(try await cache.token().value == "t-secret-1")
        await clock.advance(by: .seconds(7200 - 301))
        #expect(try await cache.token().value == "t-secret-1")
        await clock.advance(by: .seconds(2))
        // Five minutes before its end the token is replaced, not at the end.
        #expect(try await cache.token().value == "t-secret-2")
        #expect(await cache.fetches == 2)
    }

    @Test func aShortLivedTokenIsReplacedAtHalfItsLife() async throws {
        let clock = TestClock()
        let endpoint = Endpoint(lifetime: .seconds(60))
        let cache = AccessTokenCache(clock: clock, margin: .seconds(300)) { endpoint.fetch() }
        #expect(try await cache.token().value == "t-secret-1")
        await clock.advance(by: .seconds(29))
        #expect(try await cache.token().value == "t-secret-1")
        await clock.advance(by: .seconds(1))
        #expect(try await cache.token().value == "t-secret-2")
    }

    @Test func anExpiredTokenIsReplacedOnceForEveryCallerThatSawIt() async throws {
        let clock = TestClock()
        let endpoint = Endpoint()
        let cache = AccessTokenCache(clock: clock) { endpoint.fetch() }
        let first = try await cache.token()
        let second = try await cache.expired(first)
        #expect(second.value == "t-secret-2")
        // Another request refused with the old token: the new one is already there.
        #expect(try await cache.expired(first) == second)
        #expect(await cache.fetches == 2)
    }

    @Test func callersWaitingForAFetchShareIt() async throws {
        let clock = TestClock()
        let endpoint = Endpoint()
        let cache = AccessTokenCache(clock: clock) {
            // The fetch takes a second of the test clock: the callers arrive while it runs.
            try await clock.sleep(for: .seconds(1))
            return endpoint.fetch()
        }
        let callers = (0..<5).map { _ in Task { try await cache.token() } }
        #expect(try await eventually { await cache.fetches == 1 })
        // Advanced until the fetch, which may not be sleeping yet, has slept its second.
        for _ in 0..<1000 where endpoint.issued.withLock({ $0 }) == 0 {
            await clock.advance(by: .seconds(1))
        }
        for caller in callers {
            #expect(try await caller.value.value == "t-secret-1")
        }
        #expect(endpoint.issued.withLock { $0 } == 1)
    }

    @Test func withTokenRetriesOnceWithTheNewToken() async throws {
        let clock = TestClock()
        let endpoint = Endpoint()
        let cache = AccessTokenCache(clock: clock) { endpoint.fetch() }
        let seen = Mutex<[String]>([])
        // The platform refuses the first token (expired), accepts the second.
        let answer = try await cache.withToken({ token in
            seen.withLock { $0.append(token.value) }
            return token.value == "t-secret-1" ? "expired" : "ok"
        }, isExpired: { $0 == "expired" })
        #expect(answer == "ok")
        #expect(seen.withLock { $0 } == ["t-secret-1", "t-secret-2"])

        // A platform refusing every token: one retry, then the refusal is the caller's.
        seen.withLock { $0.removeAll() }
        let refused = try await cache.withToken({ token in
            seen.withLock { $0.append(token.value) }
            return "expired"
        }, isExpired: { $0 == "expired" })
        #expect(refused == "expired" && seen.withLock { $0 } == ["t-secret-2", "t-secret-3"])
    }

    @Test func tokensNeverAppearInDescriptions() async throws {
        let token = AccessToken("t-secret-value")
        let grant = TokenGrant(token: token, lifetime: .seconds(7200))
        var dumped = ""
        dump(grant, to: &dumped)
        for text in ["\(token)", String(reflecting: token), "\(grant)", String(reflecting: grant), dumped, "\([token])"] {
            #expect(!text.contains("secret"), "\(text)")
        }
        let cache = AccessTokenCache(clock: TestClock()) { grant }
        _ = try await cache.token()
        var cacheDump = ""
        dump(cache, to: &cacheDump)
        #expect(!cacheDump.contains("secret") && !"\(cache)".contains("secret"))
    }
}
