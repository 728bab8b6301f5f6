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

    /// Takes in the resources of a page.
    public mutating func advance(past resources: [SCIMResource]) {
        for resource in resources {
            guard let text = resource.meta?.lastModified, let seen = SCIMDateTime(rfc3339: text) else { continue }
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
