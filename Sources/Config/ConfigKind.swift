import Directory

/// A kind of source or target that decodes its own block of the configuration
/// (`source: { scim: {...} }`): its registry entry hands it to the loader, so that a new kind
/// brings its keys with it. SQL databases (`mysql`, `postgres`, `sqlite`) are decoded here:
/// they share one connection-block shape and a `layout`, and the SCIM server's directory is
/// one too.
public struct ConfigKind: Sendable {
    public enum Role: Sendable, Hashable {
        case source, target
    }

    /// The key under `source:` or `target:`.
    public let key: String
    public let role: Role
    /// Why the kind takes no `layout`, for the message that refuses one (`the provider serves
    /// SCIM resources; the target's layout maps them`).
    public let whyNoLayout: String
    /// Decodes the block under the key, reporting every problem on the nodes it reads; nil
    /// when there was one.
    public let decode: @Sendable (ConfigNode) -> (any KindSettings)?

    public init(
        key: String, role: Role, whyNoLayout: String, decode: @escaping @Sendable (ConfigNode) -> (any KindSettings)?
    ) {
        self.key = key
        self.role = role
        self.whyNoLayout = whyNoLayout
        self.decode = decode
    }
}

/// The decoded block of a kind that decodes its own. Its description is for messages and
/// logs: it never includes a secret.
public protocol KindSettings: Sendable, Hashable, CustomStringConvertible {
    /// The layout a source of this kind maps its records through, when its own configuration
    /// says how (a feed's control file): it stands in for a target that has none (a SCIM
    /// provider), so that such a source may write to one. Nil for a kind that serves SCIM
    /// resources as they come.
    var sourceLayout: DirectoryLayout? { get }
    /// The layout a target of this kind keeps the directory in, when its own configuration
    /// says how (a chat platform's fields, its department tree): reconciliation compares the
    /// attributes it maps, and the group parents when both sides have them. Nil for a kind
    /// that keeps the source's resources as they come (a SCIM provider).
    var targetLayout: DirectoryLayout? { get }
    /// Whether a source of this kind gives its groups a parent (a chat platform's department
    /// tree). When it has no layout of its own, the target's stands in for it: without parents
    /// (a SCIM provider's groups have none) that layout drops the parent, so that
    /// reconciliation never compares, and moves, parents the source cannot have.
    var sourceGroupsHaveParents: Bool { get }
}

extension KindSettings {
    public var sourceLayout: DirectoryLayout? { nil }
    public var targetLayout: DirectoryLayout? { nil }
    public var sourceGroupsHaveParents: Bool { false }

    fileprivate func isEqual(to other: any KindSettings) -> Bool {
        (other as? Self) == self
    }
}

/// A kind's settings as a value of ``PipelineSource`` and ``PipelineTarget``.
public struct AnyKindSettings: Sendable, Hashable, CustomStringConvertible {
    public let base: any KindSettings

    public init(_ base: any KindSettings) {
        self.base = base
    }

    public static func == (lhs: AnyKindSettings, rhs: AnyKindSettings) -> Bool {
        lhs.base.isEqual(to: rhs.base)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(ObjectIdentifier(type(of: base)))
        base.hash(into: &hasher)
    }

    public var description: String { base.description }
}
