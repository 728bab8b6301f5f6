import Reconcile

/// One user or department of a platform, fetched by id and mapped by the same attribute maps
/// as the full read, for the callback stream (``CallbackStream``): what an event's subject is
/// now.
///
/// A platform error that trying again may fix (unreachable, busy, rate-limited past the
/// client's retries) is thrown as ``Connectors/SourceFailure/unavailable(_:)``; any other
/// error is the platform refusing the app (credentials, rights), which the stream answers with
/// a full read, whose own errors the pipeline reports.
public protocol PlatformObjects: Sendable {
    /// The platform's name for messages (`DingTalk`).
    var platform: String { get }
    /// The user `id` with the ids of its departments (the root, which is no group, left out).
    func user(_ id: String) async throws -> FetchedObject<FetchedUser>
    /// The department `id` with its parent (nil under the root, which is no group).
    func department(_ id: String) async throws -> FetchedObject<DirectoryEntry>
}

/// What fetching one object found.
public enum FetchedObject<Object: Sendable>: Sendable {
    /// It exists and the app may read it.
    case found(Object)
    /// The platform says there is no such object (deleted, left): remove it.
    case gone
    /// The platform refuses this one object as outside the app's visible range (通讯录权限范围,
    /// 可见范围). The full read does not see it either, but the same refusal also answers an app
    /// whose range was narrowed by mistake: the stream asks for a full read, which removes what
    /// is truly out of range under `reconcile.maxRemovals`, rather than removing it unguarded.
    case outOfRange
}

/// A user as fetched: the user, and the groups it belongs to.
public struct FetchedUser: Sendable, Hashable {
    public var entry: DirectoryEntry
    /// Its departments' ids, the root left out (no group).
    public var departments: [String]

    public init(entry: DirectoryEntry, departments: [String]) {
        self.entry = entry
        self.departments = departments
    }
}

extension FetchedObject {
    /// The same absence for another kind of object; `found` is a caller's mistake, answered
    /// as gone.
    func absence<Other: Sendable>() -> FetchedObject<Other> {
        if case .outOfRange = self { return .outOfRange }
        return .gone
    }
}
