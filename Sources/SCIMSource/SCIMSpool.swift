import Directory
import DirectorySpool
import Reconcile
import SCIM

/// A full pull's spool: a provider's pages, kept on disk and read back sorted
/// (``DirectorySpool/DirectorySpool``), the newer of two reads of one id kept.
typealias SCIMSpool = DirectorySpool

extension DirectorySpool {
    convenience init() throws {
        try self.init(name: "pull", repeats: .lastWins)
    }

    /// Keeps a page of `kind`: each resource with an id, without `meta` and `members` (what a
    /// pass compares), and a group's members as memberships. A resource read twice (a
    /// provider's pages shifting while they are read) is kept once, as last read. SCIM groups
    /// have no parent.
    ///
    /// - Returns: how many resources had no id to keep them by (none, or one that is not a
    ///   string): the read is incomplete.
    @discardableResult
    func add(_ page: [SCIMResource], kind: ResourceKind) throws -> Int {
        var entries: [DirectoryEntry] = []
        var memberships: [Membership] = []
        var withoutID = 0
        for resource in page {
            guard let id = resource.id, !id.isEmpty else {
                withoutID += 1
                continue
            }
            var attributes = resource.attributes
            _ = attributes.removeValue(forKey: "meta")
            _ = attributes.removeValue(forKey: "members")
            entries.append(DirectoryEntry(id: id, resource: SCIMResource(attributes)))
            if kind == .group {
                memberships += resource.userMemberIDs.map { Membership(groupID: id, userID: $0) }
            }
        }
        try add(entries, kind: kind, memberships: memberships)
        return withoutID
    }
}
