import Connectors
import Directory
import Logging
import Reconcile

/// The task behind a ``CallbackStream``: takes the inbox's events a round at a time, fetches
/// their subjects, and hands `next()` one batch per event.
struct CallbackApplier: Sendable {
    let position: SourcePosition
    let objects: any PlatformObjects
    let wiring: CallbackWiring
    let output: CallbackOutput
    let logger: Logger
    /// Events taken at once: their users' memberships are read from the target in one scan.
    static let round = 100

    /// What one subject of an event is now.
    enum Found: Sendable {
        case user(String, FetchedUser?)
        case department(String, DirectoryEntry?)

        var userID: String? {
            // The id as the platform spells it when found (WeCom matches userids ignoring case).
            if case .user(let id, let user) = self { return user?.entry.id ?? id }
            return nil
        }

        /// The id of a user the platform no longer has.
        var goneUserID: String? {
            if case .user(let id, nil) = self { return id }
            return nil
        }

        /// The id of a department the platform no longer has.
        var goneDepartmentID: String? {
            if case .department(let id, nil) = self { return id }
            return nil
        }
    }

    /// Why a round stopped short: the events left are for a full read to cover.
    struct GiveUp: Error {
        var reason: String
    }

    func run() async {
        var memberships = CallbackMemberships(pipeline: wiring.pipeline, targetReader: wiring.targetReader)
        while !Task.isCancelled {
            await output.roomForMore()
            guard let taken = await wiring.inbox.take(limit: Self.round) else { return }
            if let reason = taken.fullRead {
                logger.warning("Callback events dropped; a full read will repair the target", metadata: ["reason": "\(reason)"])
                output.requestFullRead(reason)
                continue
            }
            do {
                var fetched: [(event: PlatformEvent, found: [Found])] = []
                for event in taken.events { fetched.append((event, try await fetch(event))) }
                let subjects = fetched.flatMap(\.found)
                try await memberships.load(
                    Set(subjects.compactMap(\.userID)), removed: Set(subjects.compactMap(\.goneUserID)),
                    removedGroups: Set(subjects.compactMap(\.goneDepartmentID)))
                for (event, found) in fetched {
                    let ops = found.flatMap { apply($0, memberships: &memberships) }
                    guard !ops.isEmpty, !Task.isCancelled else { continue }
                    logger.debug("Callback event applied", metadata: ["type": "\(event.type)", "ops": "\(ops.count)"])
                    // A user fetched is written as a create that overwrites, new or not.
                    output.push(
                        .batch(
                            SourceBatch(
                                ops: ResourceOp.ordered(ops), position: position, rowCount: found.count, createsMayExist: true)))
                }
            } catch is CancellationError {
                return
            } catch {
                guard !Task.isCancelled else { return }
                let reason = (error as? GiveUp)?.reason ?? "a callback event could not be applied: \(error)"
                logger.warning("Callback events dropped; a full read will repair the target", metadata: ["reason": "\(reason)"])
                wiring.inbox.discardQueued()
                output.requestFullRead(reason)
            }
        }
    }

    /// Each subject of `event` as the platform has it now (nil: gone). A removal is read too:
    /// events come late and out of order (a retried delete after the user was created again),
    /// and the target must end as the platform is, not as the event says.
    func fetch(_ event: PlatformEvent) async throws -> [Found] {
        var found: [Found] = []
        for subject in event.subjects {
            let removal = event.change == .removed
            switch subject {
            case .user(let id):
                let fetched = try await retrying("user \(id)") { try await objects.user(id) }
                found.append(.user(id, try present(fetched, "user \(id)", removal: removal)))
            case .department(let id):
                let fetched = try await retrying("department \(id)") { try await objects.department(id) }
                let department = try present(fetched, "department \(id)", removal: removal)
                found.append(.department(id, department))
                if let department { found += try await ancestors(of: id, parent: department.parentID) }
            }
        }
        return found
    }

    /// The most departments above one that are read with it.
    static let maximumDepth = 64

    /// The departments above `id`, as the platform has them now. A department moves under a
    /// new parent; if the target still holds that parent below the department (the parent's
    /// own move came late, or not at all), the move alone would make the two each other's
    /// ancestors, cut off from the root. Written with their current parents too, the path to
    /// the root is the platform's.
    private func ancestors(of id: String, parent: String?) async throws -> [Found] {
        var found: [Found] = []
        var seen: Set<String> = [id]
        var next = parent
        while let current = next, seen.insert(current).inserted {
            guard seen.count <= Self.maximumDepth else {
                throw GiveUp(reason: "department \(id) has more than \(Self.maximumDepth) departments above it on \(objects.platform)")
            }
            let fetched = try await retrying("department \(current)") { try await objects.department(current) }
            // One gone or out of the app's range ends the path: the full read decides for it.
            guard case .found(let ancestor) = fetched else { break }
            found.append(.department(current, ancestor))
            next = ancestor.parentID
        }
        return found
    }

    /// The object, nil when gone. One outside the app's range is gone for a removal's event
    /// (as a full read, which cannot see it, treats it), and asks for a full read otherwise.
    private func present<Object>(_ fetched: FetchedObject<Object>, _ name: String, removal: Bool) throws -> Object? {
        switch fetched {
        case .found(let object): return object
        case .gone: return nil
        case .outOfRange:
            if removal { return nil }
            throw GiveUp(reason: "\(objects.platform) answered that \(name) is outside the app's visible range")
        }
    }

    /// `body`, again after a backoff while the platform fails transiently.
    private func retrying<T>(_ name: String, _ body: () async throws -> T) async throws -> T {
        var limit = wiring.fetchRetry
        while true {
            do {
                return try await body()
            } catch SourceFailure.unavailable(let reason) {
                guard let wait = limit.limited(reset: nil, unitRandom: Double.random(in: 0..<1)) else {
                    throw GiveUp(reason: "fetching \(name) from \(objects.platform) failed \(limit.attempts) times: \(reason)")
                }
                logger.info(
                    "Fetching a callback event's subject failed; trying again",
                    metadata: ["subject": "\(name)", "wait": "\(wait)", "reason": "\(reason)"])
                try await Task.sleep(for: wait)
            }
        }
    }

    /// The ops that make the target hold `found`.
    func apply(_ found: Found, memberships: inout CallbackMemberships) -> [ResourceOp] {
        switch found {
        case .user(_, let user?):
            memberships.written(user.entry.id)
            var ops: [ResourceOp] = [.create(.user, user.entry.resource)]
            // A user back after `onDelete: deactivate`: the full read reactivates one whose
            // source does not say (its map has no `active`); so does its event.
            if wiring.onDelete == .deactivate, user.entry.resource.attributes["active"] == nil {
                ops.append(.reactivate(userID: user.entry.id))
            }
            return ops + memberships.set(user.entry.id, to: user.departments)
        case .user(let id, nil):
            // Not in the target either: nothing to remove, and no removal to count against
            // the limit (a delete of someone never provisioned would hold the pipeline).
            if memberships.holds(id) == false { return [] }
            let removals = memberships.set(id, to: [])
            switch wiring.onDelete {
            case .delete: return removals + [.delete(.user, id: id)]
            case .deactivate: return removals + [.deactivate(userID: id)]
            }
        case .department(let id, let department?):
            memberships.wroteGroup(id, present: true)
            return [.create(.group, department.resource), .moveParent(groupID: id, parentID: department.parentID)]
        case .department(let id, nil):
            // As for a user: a department the target never held makes no removal.
            if memberships.holdsGroup(id) == false { return [] }
            memberships.wroteGroup(id, present: false)
            return [.delete(.group, id: id)]
        }
    }
}
