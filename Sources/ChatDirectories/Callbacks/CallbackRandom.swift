/// Where an endpoint's random bytes come from (the 16-byte prefix of an encrypted answer, its
/// nonce): the system's generator, or a fixed source in tests.
public enum CallbackRandom {
    /// `count` bytes from `SystemRandomNumberGenerator` (the system's CSPRNG).
    @Sendable public static func system(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }
}
