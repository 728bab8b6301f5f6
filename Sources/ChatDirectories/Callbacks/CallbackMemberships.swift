import Directory
import Reconcile

/// Which groups a user belongs to in the target before the stream's next batch, so that a
/// user's event makes them exactly the departments fetched (adds the new, removes the old).
///
/// A user the stream has not yet touched is looked up in the target through the reader the
/// pipeline gives (one scan of the memberships per round of events, for every user of the
/// round at once); after that, the stream's own record of what its batches set is used: those
/// batches may not be applied yet when the next event comes, and the target would answer
/// what it held before them. The record lives as long as the stream, which ends at the next
/// full read. Without a reader, a user's old memberships are unknown: only additions are made,
/// and the next full read removes the rest.
struct CallbackMemberships {
    let pipeline: String
    let targetReader: (@Sendable () async throws -> any ReconcileTargetReader)?
    /// Each touched user's groups after the batches the stream made.
    private var known: [String: Set<String>] = [:]
    /// Whether the target holds each user looked up for a removal (or written by the stream).
    private var present: [String: Bool] = [:]
    /// The same for departments (groups).
    private var presentGroups: [String: Bool] = [:]

    init(pipeline: String, targetReader: (@Sendable () async throws -> any ReconcileTargetReader)?) {
        self.pipeline = pipeline
        self.targetReader = targetReader
    }

    /// Looks the users of `userIDs` the record does not hold up in the target; of `removed`
    /// (users the platform no longer has) and `removedGroups` (departments it no longer has),
    /// also whether the target holds them at all.
    mutating func load(_ userIDs: Set<String>, removed: Set<String> = [], removedGroups: Set<String> = []) async throws {
        let missing = userIDs.filter { known[$0] == nil }
        let unknown = removed.filter { present[$0] == nil }
        let unknownGroups = removedGroups.filter { presentGroups[$0] == nil }
        guard !missing.isEmpty || !unknown.isEmpty || !unknownGroups.isEmpty, let targetReader else { return }
        let reader = try await targetReader()
        if !unknown.isEmpty {
            let held = try reader.existingUserIDs(Array(unknown))
            for user in unknown { present[user] = held.contains(user) }
        }
        if !unknownGroups.isEmpty, let held = try reader.existingGroupIDs(Array(unknownGroups)) {
            for group in unknownGroups { presentGroups[group] = held.contains(group) }
        }
        guard !missing.isEmpty else { return }
        let order = try reader.idOrders(source: .scim, pipeline: pipeline).memberships
        var found: [String: Set<String>] = [:]
        var chunks = try reader.memberships(chunkSize: 1000, order: order)
        while let chunk = try chunks.next() {
            for membership in chunk where missing.contains(membership.userID) {
                found[membership.userID, default: []].insert(membership.groupID)
            }
        }
        for user in missing { known[user] = found[user] ?? [] }
    }

    /// Whether the target holds `userID`: false only when it was looked up and is not there;
    /// nil when unknown (no reader).
    func holds(_ userID: String) -> Bool? { present[userID] }

    /// Records that the stream wrote `userID`.
    mutating func written(_ userID: String) { present[userID] = true }

    /// Whether the target holds group `id`: false only when it was looked up and is not
    /// there; nil when unknown.
    func holdsGroup(_ id: String) -> Bool? { presentGroups[id] }

    /// Records that the stream wrote group `id` (true) or removed it (false).
    mutating func wroteGroup(_ id: String, present: Bool) { presentGroups[id] = present }

    /// The ops that make `userID`'s groups `groups`, recorded as done.
    mutating func set(_ userID: String, to groups: [String]) -> [ResourceOp] {
        let wanted = Set(groups)
        let before = known[userID]
        known[userID] = wanted
        var ops: [ResourceOp] = []
        for group in groups where before?.contains(group) != true {
            ops.append(.addMember(groupID: group, userID: userID))
        }
        for group in (before ?? []).subtracting(wanted).sorted() {
            ops.append(.removeMember(groupID: group, userID: userID))
        }
        return ops
    }
}
