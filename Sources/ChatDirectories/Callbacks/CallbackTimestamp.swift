import Foundation

/// A signed request's timestamp, checked against now: a request recorded and sent again later
/// still carries a valid signature, so one whose timestamp is far from now is refused.
public enum CallbackTimestamp {
    /// How far a timestamp may be from now, either way (clocks drift; the platforms retry
    /// within minutes).
    public static let window: TimeInterval = 300

    /// Refuses (401) a missing timestamp or one more than `window` from `now`. Seconds or
    /// milliseconds (DingTalk sends milliseconds): a value past 10^11 is read as milliseconds.
    public static func check(_ text: String?, now: Date, window: TimeInterval = window) throws(CallbackRefusal) {
        guard let text, let seconds = epochSeconds(text) else {
            throw CallbackRefusal(status: 400, reason: "the request has no timestamp, or not a number")
        }
        guard abs(seconds - now.timeIntervalSince1970) <= window else {
            throw CallbackRefusal(
                status: 401,
                reason: "the timestamp is more than \(Int(window)) s from now (a replayed request, or a clock that is off)")
        }
    }

    static func epochSeconds(_ text: String) -> Double? {
        guard !text.isEmpty, text.utf8.count <= 16, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = Double(text)
        else { return nil }
        return value >= 100_000_000_000 ? value / 1000 : value
    }
}
