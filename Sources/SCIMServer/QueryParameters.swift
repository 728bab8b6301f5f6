import Foundation

/// The parameters of a request URL's query, decoded as HTML forms encode them (`+` is a
/// space, then percent-decoding), which is how most SCIM clients send `filter`.
struct QueryParameters: Sendable {
    private var values: [(name: String, value: String)] = []

    init(_ query: String?) {
        guard let query, !query.isEmpty else { return }
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            values.append((name, value))
        }
    }

    /// The first value of `name` (names compare ignoring case: RFC 7644 §3.4.2 parameters are
    /// case-insensitive).
    subscript(name: String) -> String? {
        values.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    private static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
