import Foundation
import SCIM

/// The latest `meta.lastModified` a pull has seen: the next incremental poll asks for what
/// changed after it. Kept as the provider wrote it (its own format goes back to it
/// unchanged), compared as instants.
///
/// `gt` (RFC 7644 §3.4.2.2) misses a resource changed within the same clock tick as the
/// watermark after it was read; the periodic full pull picks such a change up.
public struct SCIMWatermark: Sendable, Hashable {
    public private(set) var lastModified: String?
    private var instant: SCIMDateTime?

    public init(lastModified: String? = nil) {
        self.lastModified = lastModified
        instant = lastModified.flatMap(SCIMDateTime.init(rfc3339:))
    }

    /// How far ahead of this machine's clock a `lastModified` is still taken: clocks differ by
    /// seconds, not by this. A later one (a provider's bad record, dated 2099) would make every
    /// poll after it ask for changes after 2099, and find none.
    public static let clockSkew: Int64 = 300

    /// Takes in the resources of a page; a `lastModified` later than `now` plus
    /// ``clockSkew`` is passed over.
    public mutating func advance(past resources: [SCIMResource], now: Date = Date()) {
        let latest = Int64(now.timeIntervalSince1970) + Self.clockSkew
        for resource in resources {
            guard let text = resource.meta?.lastModified, let seen = SCIMDateTime(rfc3339: text),
                seen.secondsSinceEpoch <= latest
            else { continue }
            if instant.map({ $0 < seen }) ?? true {
                instant = seen
                lastModified = text
            }
        }
    }

    /// `meta.lastModified gt "<instant>"`.
    public static func filter(after lastModified: String) -> String {
        Filter.compare(AttributePath(attribute: "meta", subAttribute: "lastModified"), .gt, .string(lastModified)).description
    }
}
