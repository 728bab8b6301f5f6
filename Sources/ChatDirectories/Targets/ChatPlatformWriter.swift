import Directory
import Logging
import SCIM

/// One chat platform's calls for one object, under the batch logic every platform shares
/// (``ChatPlatformWriter/apply(_:)``): DingTalk, WeCom and Feishu keep the same directory shape
/// (users, a department tree, each user's whole department list) and differ in their calls,
/// their ids and their error codes.
///
/// Every call is idempotent, so that a replayed batch changes nothing more. A call that throws
/// an error ``refusal(_:)`` recognises refuses its object alone; any other error fails the batch,
/// which the pipeline tries again.
protocol ChatPlatformWriter: ChatDirectoryTarget {
    /// A department's id in the platform: a number (DingTalk, WeCom) or the tenant's text
    /// (Feishu).
    associatedtype DepartmentID: Hashable & Sendable

    /// The platform's name in logs, reports and skips ("DingTalk").
    static var platform: String { get }
    /// How many departments the platform allows one user.
    static var maxDepartmentsPerUser: Int { get }
    /// The platform's error code for a user in too many departments, as reports quote it
    /// ("errcode 60110").
    static var tooManyDepartmentsCode: String { get }
    /// The platform's error code for deleting a department that has sub-departments.
    static var subDepartmentsCode: String { get }

    /// The platform's ids of scimsync's objects, and its ownership ledger.
    var ids: any ChatTargetIDMap { get }
    var logger: Logger { get }
    /// Where a user without another department is kept (a platform user needs one).
    var defaultDepartment: DepartmentID { get }

    /// The reason to quarantine the object of a call that threw `error`: the platform refused
    /// that object (its values, its place in the tree). Nil when the error is the platform's,
    /// the credentials' or the network's: the batch fails.
    func refusal(_ error: any Error) -> String?

    func createUser(_ resource: SCIMResource, _ report: inout ChatTargetReport) async throws
    /// Creates the department under `parent` (a source id), or under the root for nil.
    func createDepartment(_ resource: SCIMResource, parent: String?, _ report: inout ChatTargetReport) async throws
    func patchUser(_ id: String, _ operations: [PatchOperation], _ op: ResourceOp, _ report: inout ChatTargetReport) async throws
    func patchDepartment(_ id: String, _ operations: [PatchOperation], _ op: ResourceOp, _ report: inout ChatTargetReport)
        async throws
    func deleteUser(_ id: String, _ report: inout ChatTargetReport) async throws
    /// Deletes the department; false when the platform keeps it for its sub-departments (the
    /// batch may delete them later).
    func deleteDepartment(_ id: String, _ report: inout ChatTargetReport) async throws -> Bool
    /// `onDelete: deactivate` and `active`, as the platform keeps them.
    func setActive(_ active: Bool, _ id: String, _ op: ResourceOp, _ report: inout ChatTargetReport) async throws
    func moveDepartment(_ id: String, under parent: String?, _ op: ResourceOp, _ report: inout ChatTargetReport) async throws

    /// The platform's id of a user scimsync manages there, or nil.
    func userID(_ sourceID: String) async throws -> String?
    /// The platform's user, or nil when it is gone.
    func user(_ userID: String) async throws -> SCIMObject?
    /// The platform's id of a department scimsync manages there, or nil.
    func departmentID(_ sourceID: String) async throws -> DepartmentID?
    /// A user's departments as the platform answers them.
    func departments(of user: SCIMObject) -> [DepartmentID]
    /// Replaces the user's whole department list.
    func setDepartments(_ departments: [DepartmentID], ofUser userID: String) async throws
}

extension ChatPlatformWriter {
    func managedCount() throws -> Int {
        try ids.count(.user) + ids.count(.group)
    }

    /// Whether the platform answered a create of `sourceID` with `platformID`, an id scimsync
    /// maps to another resource already; then the create is refused (quarantined, and the
    /// intent recorded for it forgotten when this create recorded it): mapped, the two would
    /// be one object, the members of one placed in the other's department.
    func refusesAnIDInUse(
        _ platformID: String, for sourceID: String, kind: ResourceKind, forgetting intent: Bool, _ op: ResourceOp,
        _ report: inout ChatTargetReport
    ) throws -> Bool {
        guard let owner = try ids.sourceID(ofPlatform: platformID, kind: kind), owner != sourceID else { return false }
        if intent { try ids.forget(sourceID, kind: kind) }
        let subject = QuarantineSubject(kind, owner)
        refuse(
            op,
            reason: "\(Self.platform) answered the create with id \(PlatformText.safe(platformID, limit: 64)), which stands "
                + "for \(subject.kind) \(PlatformText.safe(owner, limit: 64)) already; check the platform's object with that id",
            &report)
        return true
    }

    /// Records that `op`'s object cannot be written, for `reason` (never a value of it).
    func refuse(_ op: ResourceOp, reason: String, _ report: inout ChatTargetReport) {
        report.refused.append(.init(subject: QuarantineSubject(op), reason: reason))
        logger.error(
            "\(Self.platform) target refused an operation; its resource is quarantined",
            metadata: ["op": "\(op.label)", "reason": "\(reason)"])
    }

    /// An object scimsync had is no longer in the platform (deleted there): forgotten, so that
    /// the next reconciliation creates it again.
    func gone(_ id: String, _ kind: ResourceKind, _ op: ResourceOp, _ report: inout ChatTargetReport) throws {
        try ids.forget(id, kind: kind)
        report.skip(op, "gone from \(Self.platform)")
        logger.warning("resource gone from \(Self.platform); forgotten", metadata: ["op": "\(op.label)"])
    }

    /// What the platform's own refusals leave to every platform alike: a source value the
    /// platform's text fields cannot hold, or a PATCH that does not apply to the object as the
    /// platform has it, refuses that resource alone.
    func anyRefusal(_ error: any Error) -> String? {
        if error is RowMappingError || error is SCIMError { return "\(error)" }
        return refusal(error)
    }

    /// The platform's id of `kind` `sourceID` when scimsync manages it there, or nil. A pending
    /// create (its answer lost) is looked up by the id it was sent with, `sentAs`: found, it is
    /// mapped; absent, the entry is forgotten (the create never arrived).
    func resolve(
        _ sourceID: String, _ kind: ResourceKind, sentAs sent: String, exists: (String) async throws -> Bool
    ) async throws -> String? {
        switch try ids.entry(sourceID, kind: kind) {
        case .mapped(let id)?:
            return id
        case .pending?:
            guard try await exists(sent) else {
                try ids.forget(sourceID, kind: kind)
                return nil
            }
            try ids.map(sourceID, to: sent, kind: kind)
            return sent
        case nil:
            return nil
        }
    }

    /// A source resource's mapped fields as the platform takes them: text, or nil for no value.
    func fields(_ resource: SCIMResource, _ mapper: RowMapper) throws -> [(field: String, value: String?)] {
        let row = try mapper.row(from: resource, columnTypes: [:])
        return zip(row.columns, row.values).compactMap { column, value in
            column == mapper.idColumn ? nil : (column, value.platformFieldText)
        }
    }
}

extension ChatPlatformWriter where DepartmentID == Int64 {
    /// The id of a department scimsync created in the platform (DingTalk, WeCom: the platform
    /// chooses it), or nil: a create whose answer was lost is resolved when the department
    /// itself is written again.
    func departmentID(_ sourceID: String) async throws -> Int64? {
        guard case .mapped(let mapped)? = try ids.entry(sourceID, kind: .group) else { return nil }
        return Int64(mapped)
    }
}
