import Directory
import SCIM

/// The difference between what the feed knew after its last complete run and what the current
/// upload says, user by user: a merge-join of two streams sorted by folded userName, so that
/// memory holds one user of each side whatever the directory's size.
///
/// Rules (the ownership ledger decides everything a user of the target might lose):
/// - in the upload only: created, unless the target already has that userName
///   (`existingUserID`), which is reported as ``FeedChange/Kind/foreign`` and never adopted;
/// - in both, owned: unchanged digests cost nothing; a changed one is patched; a user with
///   the error flag is sent whole again (an upsert and its memberships); a blocked user is
///   unblocked;
/// - known only, owned and in the feed: blocked;
/// - not owned: never changed or blocked (a foreign user whose userName the target has
///   released is created and owned from then on);
/// - memberships change only in managed groups, whatever else the records name;
/// - a record staged as unchanged (by its digest, ``CurrentEntry/unchanged(key:userName:digest:)``)
///   costs nothing while its user is still as it was when the upload was read; otherwise it
///   is kept as a skipped record is, and the next run compares it in full.
public struct FeedDiff<Known: IteratorProtocol<KnownUser>, Current: IteratorProtocol<CurrentEntry>> {
    private var known: Known
    private var current: Current
    private var nextKnown: KnownUser?
    private var nextCurrent: CurrentEntry?
    private var primed = false
    private let run: Int64
    private let managed: Set<String>
    private let existingUserID: (String) throws -> String?
    private let whole: (KnownUser) throws -> KnownUser

    /// - Parameters:
    ///   - known: the store's users, in ``KeyOrder``.
    ///   - current: the upload's users, in ``KeyOrder``, one entry per key.
    ///   - run: the run the changes belong to.
    ///   - managedGroups: ids of the groups the feed may change.
    ///   - existingUserID: the id of the target's user with this userName, if it has one (the
    ///     feed asks only for userNames it has not created).
    public init(
        known: Known, current: Current, run: Int64, managedGroups: Set<String>,
        existingUserID: @escaping (String) throws -> String? = { _ in nil }
    ) {
        self.init(known: known, current: current, run: run, managedGroups: managedGroups, existingUserID: existingUserID) {
            $0
        }
    }

    /// A diff whose `known` users may come without their resource, groups and raw record
    /// (``KnownUser/partial``): `whole` reads the rest of one, which the diff asks for only
    /// when it changes, blocks or keeps that user. Most users of a nightly export are passed
    /// over by their digest, and their stored text is then never read.
    init(
        known: Known, current: Current, run: Int64, managedGroups: Set<String>,
        existingUserID: @escaping (String) throws -> String?, whole: @escaping (KnownUser) throws -> KnownUser
    ) {
        self.known = known
        self.current = current
        self.run = run
        self.managed = managedGroups
        self.existingUserID = existingUserID
        self.whole = whole
    }

    /// The next user's change, in key order; unchanged users are passed over. Nil at the end.
    public mutating func next() throws -> FeedChange? {
        if !primed {
            primed = true
            nextKnown = known.next()
            nextCurrent = current.next()
        }
        while true {
            switch (nextKnown, nextCurrent) {
            case (nil, nil):
                return nil
            case (let old?, let new?) where KeyOrder.equal(old.key, new.key):
                nextKnown = known.next()
                nextCurrent = current.next()
                if let change = try both(old, new) { return change }
            case (let old?, let new?) where KeyOrder.precedes(old.key, new.key):
                nextKnown = known.next()
                if let change = try vanished(old) { return change }
            case (_, let new?):
                nextCurrent = current.next()
                if let change = try appeared(new) { return change }
            case (let old?, nil):
                nextKnown = known.next()
                if let change = try vanished(old) { return change }
            }
        }
    }

    private func appeared(_ entry: CurrentEntry) throws -> FeedChange? {
        guard case .user(let user) = entry else { return nil }
        if try existingUserID(user.userName) != nil {
            return FeedChange(
                kind: .foreign, key: user.key, userName: user.userName, ops: [],
                state: KnownUser(
                    key: user.key, userName: user.userName, id: nil, owned: false, inFeed: true, digest: user.digest,
                    resource: nil, groups: [], rawJSON: user.rawJSON, lastChangedRun: run, error: false),
                location: user.location)
        }
        return create(user)
    }

    private func create(_ user: FeedUser) -> FeedChange {
        let id = user.userName
        var resource = user.resource
        var state = KnownUser(
            key: user.key, userName: user.userName, id: id, owned: true, inFeed: true, digest: user.digest,
            resource: nil, groups: user.groups, rawJSON: user.rawJSON, lastChangedRun: run, error: false)
        if resource.attributes["id"] == .string(id) {
            // An upload's resource already carries its userName as its id: the state keeps the
            // stored text as it is, rather than writing the resource's JSON once more.
            state.storedResource = user.storedResource
        } else {
            resource.attributes["id"] = .string(id)
            state.resource = resource
        }
        var ops: [ResourceOp] = [.create(.user, resource)]
        ops += user.groups.map { ResourceOp.addMember(groupID: $0, userID: id) }
        return FeedChange(
            kind: .create, key: user.key, userName: user.userName, ops: ops, state: state, location: user.location)
    }

    private func vanished(_ known: KnownUser) throws -> FeedChange? {
        guard known.owned, known.inFeed, let id = known.id else { return nil }
        let old = known.partial ? try whole(known) : known
        var state = old
        state.inFeed = false
        state.lastChangedRun = run
        return FeedChange(
            kind: .block, key: old.key, userName: old.userName, ops: [.deactivate(userID: id)], state: state)
    }

    private func both(_ known: KnownUser, _ entry: CurrentEntry) throws -> FeedChange? {
        // Passed over by the digest: a record staged as unchanged, or a mapped one with the
        // digest of the user the feed created, holds and applied without error.
        let passedOver = known.owned && known.id != nil && known.inFeed && !known.error
        switch entry {
        case .unchanged(_, _, let digest) where passedOver && known.digest == digest: return nil
        case .user(let user) where passedOver && known.digest == user.digest: return nil
        default: break
        }
        let old = known.partial ? try whole(known) : known
        // A record staged as unchanged whose user is no longer as it was read (one run is open
        // at a time, so this is not expected) is kept as a skipped one is: the next run maps
        // it and compares it in full.
        guard case .user(let user) = entry else {
            // The record was skipped: keep the user as it is, and have the next run look again.
            guard !old.error else { return nil }
            var state = old
            state.error = true
            return FeedChange(kind: .skipped, key: old.key, userName: old.userName, ops: [], state: state)
        }
        guard old.owned, let id = old.id else {
            // Not the feed's. If the target no longer has the userName, the feed may create it.
            if try existingUserID(user.userName) == nil { return create(user) }
            if old.digest == user.digest, old.inFeed { return nil }
            var state = old
            state.digest = user.digest
            state.rawJSON = user.rawJSON
            state.inFeed = true
            return FeedChange(kind: .foreign, key: old.key, userName: old.userName, ops: [], state: state)
        }
        let changed = old.digest != user.digest || old.error
        guard changed || !old.inFeed else { return nil }
        var ops: [ResourceOp] = []
        if !old.inFeed { ops.append(.reactivate(userID: id)) }
        var resource = user.resource
        resource.attributes["id"] = .string(id)
        if old.error {
            // What the target holds is uncertain (the record was skipped, or the target refused
            // an operation): send the whole user again. A create is an upsert by id and a
            // member addition adds only if absent, so this is safe whatever the target has.
            let now = Set(user.groups)
            let before = Set(old.groups)
            ops.append(.create(.user, resource))
            ops += before.subtracting(now).intersection(managed).sorted().map {
                ResourceOp.removeMember(groupID: $0, userID: id)
            }
            ops += user.groups.map { ResourceOp.addMember(groupID: $0, userID: id) }
        } else if changed {
            let patch = patchOperations(from: old.resource ?? SCIMResource(), to: resource)
            if !patch.isEmpty { ops.append(.patch(.user, id: id, patch)) }
            let now = Set(user.groups)
            let before = Set(old.groups)
            ops += before.subtracting(now).intersection(managed).sorted().map {
                ResourceOp.removeMember(groupID: $0, userID: id)
            }
            ops += now.subtracting(before).sorted().map { ResourceOp.addMember(groupID: $0, userID: id) }
        }
        let state = KnownUser(
            key: user.key, userName: user.userName, id: id, owned: true, inFeed: true, digest: user.digest,
            resource: resource, groups: user.groups, rawJSON: user.rawJSON,
            lastChangedRun: ops.isEmpty ? old.lastChangedRun : run,
            error: false)
        let kind: FeedChange.Kind = !old.inFeed ? .unblock : ops.isEmpty ? .recorded : .update
        return FeedChange(
            kind: kind, key: user.key, userName: user.userName, ops: ops, state: state, location: user.location)
    }
}
