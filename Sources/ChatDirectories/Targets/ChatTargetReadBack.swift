import Directory
import DirectorySpool
import Reconcile

extension ChatDirectoryReader {
    /// The platform read back as a target for reconciliation: each object known by the source
    /// id the id map maps it to. Objects scimsync has no id for are not read as drift (a create
    /// that meets one resolves it: the platform's "already exists" codes, or `adopt`), and the
    /// departments scimsync did not create (the root, the default department) are no
    /// memberships. Written to a spool of its own, a chunk at a time.
    /// - Parameters:
    ///   - derivesActive: the platform has no disabled state (DingTalk): every user reads as
    ///     `active` unless it is in `inactiveIn`. False keeps the `active` the read gave.
    ///   - inactiveIn: the platform's id of the department deactivated users are kept in.
    func keyedBySourceIDs(
        _ ids: any ChatTargetIDMap, derivesActive: Bool = false, inactiveIn deactivated: String? = nil
    ) throws -> ChatDirectoryReader {
        let userSources = try ids.sourceIDs(.user)
        let groupSources = try ids.sourceIDs(.group)
        let keyed = try DirectorySpool(name: platform.lowercased(), repeats: .firstWins)
        let chunk = 1000
        var inactive: Set<String> = []
        var members = try memberships(chunkSize: chunk, order: .binary)
        while let memberships = try members.next() {
            var kept: [Membership] = []
            for membership in memberships {
                if membership.groupID == deactivated { inactive.insert(membership.userID) }
                guard let user = userSources[membership.userID], let group = groupSources[membership.groupID] else { continue }
                kept.append(Membership(groupID: group, userID: user))
            }
            try keyed.add([], kind: .user, memberships: kept)
        }
        var users = spool.entriesAsRead(.user, chunkSize: chunk)
        while let entries = try users.next() {
            try keyed.add(
                entries.compactMap { entry -> DirectoryEntry? in
                    guard let sourceID = userSources[entry.id] else { return nil }
                    var resource = entry.resource
                    resource.attributes["id"] = .string(sourceID)
                    if derivesActive { resource.attributes["active"] = .bool(!inactive.contains(entry.id)) }
                    return DirectoryEntry(id: sourceID, resource: resource)
                }, kind: .user)
        }
        var groups = spool.entriesAsRead(.group, chunkSize: chunk)
        while let entries = try groups.next() {
            try keyed.add(
                entries.compactMap { entry -> DirectoryEntry? in
                    guard let sourceID = groupSources[entry.id] else { return nil }
                    var resource = entry.resource
                    resource.attributes["id"] = .string(sourceID)
                    return DirectoryEntry(id: sourceID, resource: resource, parentID: entry.parentID.flatMap { groupSources[$0] })
                }, kind: .group)
        }
        return ChatDirectoryReader(platform: platform, spool: keyed)
    }
}

/// A platform read back by the source's ids (``ChatDirectoryReader/keyedBySourceIDs(_:derivesActive:inactiveIn:)``)
/// as the target side of a reconciliation pass.
extension ChatDirectoryReader: ReconcileTargetReader {
    /// The objects are known by the source's ids: the source's order holds.
    public func idOrders(source: SourceIDTypes, pipeline: String) throws -> IDOrders {
        IDOrders(sameAs: source)
    }

    public func isEmpty() throws -> Bool {
        try spool.count(.user) == 0 && spool.count(.group) == 0
    }

    public func existingUserIDs(_ ids: [String]) throws -> Set<String> {
        try spool.existing(.user, ids)
    }

    public func existingGroupIDs(_ ids: [String]) throws -> Set<String>? {
        try spool.existing(.group, ids)
    }
}
