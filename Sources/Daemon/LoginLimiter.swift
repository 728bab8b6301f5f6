import Foundation
import Synchronization

/// Limits failed logins per client address with a token bucket: each address may fail
/// `burst` times in a row, then once per `refillSeconds`; a login while its bucket is empty
/// is refused before the token is even compared (429 with `Retry-After`, RFC 6585 §4), so
/// guessing the token from one address takes years, not hours. A login is the admin page's
/// form or a request with an `Authorization` header: both try the same token, so both take
/// from the same bucket.
///
/// Only failures take from the bucket: an operator who types the token right is never
/// slowed down. The table is bounded: when `maxClients` addresses are tracked, the ones
/// whose buckets have refilled are forgotten first (they would start full anyway).
public final class LoginLimiter: Sendable {
    let burst: Double
    let refillSeconds: Double
    let maxClients: Int
    private let now: @Sendable () -> Double
    private let buckets = Mutex<[String: Bucket]>([:])

    private struct Bucket {
        var tokens: Double
        var updated: Double
    }

    /// - Parameters:
    ///   - burst: failures allowed in a row.
    ///   - refillSeconds: how long until one more failure is allowed.
    ///   - now: seconds on a clock that only moves forward (tests move it by hand).
    public init(
        burst: Int = 5, refillSeconds: Double = 60, maxClients: Int = 10_000,
        now: @escaping @Sendable () -> Double = { ProcessInfo.processInfo.systemUptime }
    ) {
        self.burst = Double(burst)
        self.refillSeconds = refillSeconds
        self.maxClients = maxClients
        self.now = now
    }

    /// Seconds until `client` may try again (rounded up), or nil when it may try now.
    public func retryAfter(client: String) -> Int? {
        let time = now()
        return buckets.withLock { buckets -> Int? in
            guard let bucket = buckets[client].map({ refilled($0, at: time) }), bucket.tokens < 1 else { return nil }
            return max(1, Int(((1 - bucket.tokens) * refillSeconds).rounded(.up)))
        }
    }

    /// Takes one try from `client`'s bucket: a login from it failed.
    public func failed(client: String) {
        let time = now()
        buckets.withLock { buckets in
            if buckets[client] == nil, buckets.count >= maxClients {
                buckets = buckets.filter { refilled($0.value, at: time).tokens < burst }
                if buckets.count >= maxClients, let oldest = buckets.min(by: { $0.value.updated < $1.value.updated }) {
                    buckets[oldest.key] = nil
                }
            }
            var bucket = buckets[client].map { refilled($0, at: time) } ?? Bucket(tokens: burst, updated: time)
            bucket.tokens = max(0, bucket.tokens - 1)
            buckets[client] = bucket
        }
    }

    /// How many addresses are tracked.
    public var trackedClients: Int { buckets.withLock { $0.count } }

    private func refilled(_ bucket: Bucket, at time: Double) -> Bucket {
        Bucket(tokens: min(burst, bucket.tokens + (time - bucket.updated) / refillSeconds), updated: time)
    }
}
