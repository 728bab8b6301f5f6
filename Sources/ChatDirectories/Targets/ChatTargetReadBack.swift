import Directory
import Reconcile

extension ChatDirectoryReader {
    /// The platform read back as a target for reconciliation: each object known by the source
    /// id the id map maps it to. Objects scimsync has no id for are not read as drift (a create
    /// that meets one resolves it: the platform's "already exists" codes, or `adopt`), and the
    /// departments scimsync did not create (the root, the default department) are no
    /// memberships.
    /// - Parameters:
    ///   - derivesActive: the platform has no disabled state (DingTalk): every user reads as
    ///     `active` unless it is in `inactiveIn`. False keeps the `active` the read gave.
    ///   - inactiveIn: the platform's id of the department deactivated users are kept in.
    func keyedBySourceIDs(
        _ ids: any ChatTargetIDMap, derivesActive: Bool = false, inactiveIn deactivated: String? = nil
    ) throws -> ChatDirectoryReader {
        let userSources = try ids.sourceIDs(.user)
        let groupSources = try ids.sourceIDs(.group)
        var inactive: Set<String> = []
        var memberships: [Membership] = []
        for membership in members {
            if membership.groupID == deactivated { inactive.insert(membership.userID) }
            guard let user = userSources[membership.userID], let group = groupSources[membership.groupID] else { continue }
            memberships.append(Membership(groupID: group, userID: user))
        }
        let users = users.compactMap { entry -> DirectoryEntry? in
            guard let sourceID = userSources[entry.id] else { return nil }
            var resource = entry.resource
            resource.attributes["id"] = .string(sourceID)
            if derivesActive { resource.attributes["active"] = .bool(!inactive.contains(entry.id)) }
            return DirectoryEntry(id: sourceID, resource: resource)
        }
        let groups = groups.compactMap { entry -> DirectoryEntry? in
            guard let sourceID = groupSources[entry.id] else { return nil }
            var resource = entry.resource
            resource.attributes["id"] = .string(sourceID)
            return DirectoryEntry(id: sourceID, resource: resource, parentID: entry.parentID.flatMap { groupSources[$0] })
        }
        return ChatDirectoryReader(platform: platform, users: users, groups: groups, memberships: memberships)
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
        users.isEmpty && groups.isEmpty
    }

    public func existingUserIDs(_ ids: [String]) throws -> Set<String> {
        Set(ids).intersection(users.map(\.id))
    }
}
