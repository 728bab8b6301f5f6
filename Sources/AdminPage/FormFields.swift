import Foundation

/// The fields of an `application/x-www-form-urlencoded` body or query (`+` is a space).
func formFields(_ text: String) -> [String: String] {
    var fields: [String: String] = [:]
    for pair in text.split(separator: "&") {
        let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        func decode(_ part: Substring) -> String {
            part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
        }
        guard let name = parts.first else { continue }
        fields[decode(name)] = parts.count > 1 ? decode(parts[1]) : ""
    }
    return fields
}
