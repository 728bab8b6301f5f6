/// One app's access token on one platform: fetched on first use, kept until shortly before the
/// lifetime the platform gave it runs out, then fetched again; and fetched again at once when
/// the platform refuses it as expired (``withToken(_:isExpired:)``), the call then made once
/// more with the new token.
///
/// Callers that need a token while one is being fetched wait for that fetch: a pass of many
/// concurrent requests costs the token endpoint one call, not one per request. The token never
/// appears in a description (``AccessToken``); `fetch` must keep the app's secret out of the
/// errors it throws.
///
/// Platforms hand out tokens for about two hours and give the same token back while much of
/// that remains (Feishu: "while ≥ 30 min remain, the same token"), so refreshing `margin`
/// early is cheap and keeps requests from racing the expiry.
public actor AccessTokenCache<C: Clock> where C.Duration == Duration {
    public typealias Fetch = @Sendable () async throws -> TokenGrant

    private let fetch: Fetch
    private let clock: C
    private let margin: Duration
    private var current: (token: AccessToken, refreshAt: C.Instant)?
    private var inFlight: Task<TokenGrant, any Error>?
    /// Tokens fetched so far (for tests and metrics).
    public private(set) var fetches = 0

    /// - Parameters:
    ///   - margin: how long before the token's end it is replaced; at most half its lifetime.
    ///   - fetch: asks the platform's token endpoint.
    public init(clock: C, margin: Duration = .seconds(300), fetch: @escaping Fetch) {
        self.clock = clock
        self.margin = margin
        self.fetch = fetch
    }

    /// The token to send now: the kept one while it is fresh, else a new one.
    public func token() async throws -> AccessToken {
        if let current, clock.now < current.refreshAt { return current.token }
        return try await refresh()
    }

    /// The platform refused `token` as expired (its own codes say so): a new one, unless
    /// another caller already replaced it.
    public func expired(_ token: AccessToken) async throws -> AccessToken {
        if let current, current.token != token, clock.now < current.refreshAt { return current.token }
        if current?.token == token { current = nil }
        return try await refresh()
    }

    private func refresh() async throws -> AccessToken {
        let task: Task<TokenGrant, any Error>
        if let inFlight {
            task = inFlight
        } else {
            let fetch = self.fetch
            task = Task { try await fetch() }
            inFlight = task
            fetches += 1
        }
        do {
            let grant = try await task.value
            if inFlight == task {
                inFlight = nil
                let early = min(margin, grant.lifetime / 2)
                current = (grant.token, clock.now.advanced(by: max(grant.lifetime - early, .zero)))
            }
            return grant.token
        } catch {
            if inFlight == task { inFlight = nil }
            throw error
        }
    }

    /// Calls `call` with the current token; when its answer says the token expired, fetches a
    /// new one and calls once more (a second refusal is the caller's to report).
    public nonisolated func withToken<T: Sendable>(
        _ call: (AccessToken) async throws -> T, isExpired: (T) -> Bool
    ) async throws -> T {
        let token = try await token()
        let answer = try await call(token)
        guard isExpired(answer) else { return answer }
        return try await call(try await expired(token))
    }
}
