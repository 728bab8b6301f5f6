import Foundation

/// The parts of a platform's URL the clients build from values: a query string and an id as a
/// path segment, percent-encoded so that no value (a token, a secret, an id from the source)
/// can add a parameter or a path of its own.
public enum PlatformURL {
    /// RFC 3986's unreserved characters, ASCII only: `CharacterSet.alphanumerics` would let
    /// other scripts' letters through raw.
    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// `?a=1&b=2`, names and values percent-encoded; "" for no parameters.
    public static func queryString(_ query: [(String, String)]) -> String {
        guard !query.isEmpty else { return "" }
        func encode(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? "" }
        return "?" + query.map { encode($0.0) + "=" + encode($0.1) }.joined(separator: "&")
    }

    /// One path segment (an id), percent-encoded like a query value; `@` (which user ids may
    /// hold) is left as it is, as RFC 3986 allows in a segment. `.` and `..` are encoded too:
    /// RFC 3986 5.2.4 would remove them as dot-segments, climbing out of the collection.
    public static func pathSegment(_ text: String) -> String {
        if text == "." || text == ".." { return String(repeating: "%2E", count: text.count) }
        return text.addingPercentEncoding(withAllowedCharacters: unreserved.union(CharacterSet(charactersIn: "@"))) ?? ""
    }
}
