import SCIM

/// A user resource held as the JSON text the feed store keeps, parsed only when it is read:
/// a diff passes over most users by their digest alone, and parsing every stored resource
/// would cost more than the rest of the diff.
struct StoredResource: Sendable {
    private enum Form: Sendable {
        case parsed(SCIMResource?)
        case text(String?)
    }

    private var form: Form

    init(_ resource: SCIMResource?) {
        form = .parsed(resource)
    }

    init(json: String?) {
        form = .text(json)
    }

    /// The resource; nil when there is none, or the stored text is not a JSON object.
    var resource: SCIMResource? {
        switch form {
        case .parsed(let resource): resource
        case .text(let text): text.flatMap(FeedStore.resource(json:))
        }
    }

    /// The resource as JSON text, as the store keeps it (the stored text itself when it was
    /// never parsed).
    var json: String? {
        switch form {
        case .parsed(let resource): resource?.attributes.jsonString()
        case .text(let text): text
        }
    }
}
