import Directory
import Logging
import SCIM
import SCIMClient

/// Applies a pipeline's ``ResourceOp``s to a SCIM 2.0 service provider:
/// creates are POSTs (or, for a resource the provider already holds for scimsync, a minimal
/// PATCH of the managed attributes), changes minimal PATCHes, deletions DELETEs or
/// `active=false`, member changes PATCHes of at most ``SCIMTargetOptions/membersPerPatch``
/// members.
///
/// Every operation is idempotent, as the pipeline's replay after a crash requires: a create
/// of a mapped resource compares before it writes, a delete of an unmapped one does nothing,
/// member additions and filtered removals leave a group as they found it when repeated. There
/// is no transaction across requests: a batch that fails half-way is replayed whole.
///
/// Failures: network errors, 429 and 5xx are retried by the client with backoff; when that
/// gives up, or the provider refuses the token (401, 403) or the URL (404 on a collection),
/// the batch throws and the pipeline retries it later without advancing its offset. Any other
/// 4xx concerns one resource: it is logged with the provider's `detail` and that operation
/// skipped, so that one bad value does not stop the directory.
public final class SCIMTarget: Sendable {
    let client: SCIMClient
    let ids: any SCIMIDMap
    public let options: SCIMTargetOptions
    let logger: Logger

    public init(client: SCIMClient, ids: any SCIMIDMap, options: SCIMTargetOptions, logger: Logger) {
        self.client = client
        self.ids = ids
        self.options = options
        self.logger = logger
    }

    /// Applies `ops` in order (member changes of consecutive operations gathered per group).
    /// - Throws: a ``SCIMClientError`` the batch cannot go on after, or the id map's error.
    @discardableResult
    public func apply(_ ops: [ResourceOp]) async throws -> SCIMApplyReport {
        var report = SCIMApplyReport()
        var index = 0
        while index < ops.count {
            if ops[index].isMemberChange {
                var end = index
                while end < ops.count, ops[end].isMemberChange { end += 1 }
                try await applyMemberChanges(ops[index..<end], &report)
                index = end
                continue
            }
            let op = ops[index]
            index += 1
            do {
                try await applyOne(op, &report)
            } catch let error as SCIMClientError where !error.stopsTheBatch {
                report.skip(op, error.description)
                report.refused.append(
                    SCIMApplyReport.Refusal(
                        subject: QuarantineSubject(op), reason: error.description, attributes: op.patchedAttributes))
                logger.error(
                    "SCIM provider refused an operation; skipped",
                    metadata: ["op": "\(op.label)", "error": "\(error)"])
            }
        }
        return report
    }

    private func applyOne(_ op: ResourceOp, _ report: inout SCIMApplyReport) async throws {
        switch op {
        case .create(let kind, let resource):
            try await create(kind, resource, &report)
        case .patch(let kind, let id, let operations):
            guard let providerID = try await providerID(id, kind) else { return report.skip(op, "not on the provider") }
            if try await client.patch(providerID, at: kind.endpoint, operations) {
                report.applied += 1
            } else {
                try await gone(id, kind, op.label, &report)
            }
        case .delete(let kind, let id):
            guard let providerID = try await providerID(id, kind) else { return }
            try await client.delete(providerID, at: kind.endpoint)
            try ids.forget(id, kind: kind)
            report.applied += 1
        case .deactivate(let userID):
            try await setActive(false, userID, op, &report)
        case .reactivate(let userID):
            try await setActive(true, userID, op, &report)
        case .moveParent:
            // SCIM's core Group has no parent (RFC 7643 §4.2) and no extension for one is
            // standard: the hierarchy stays in the source.
            report.skip(op, "SCIM groups have no parent")
        case .addMember, .removeMember:
            try await applyMemberChanges([op][...], &report)
        }
    }

    private func setActive(_ active: Bool, _ userID: String, _ op: ResourceOp, _ report: inout SCIMApplyReport)
        async throws
    {
        guard let providerID = try await providerID(userID, .user) else { return report.skip(op, "not on the provider") }
        let operation = PatchOperation(op: .replace, path: AttributePath(attribute: "active"), value: .bool(active))
        if try await client.patch(providerID, at: .users, [operation]) {
            report.applied += 1
        } else {
            try await gone(userID, .user, op.label, &report)
        }
    }

    /// A PATCH of a mapped resource answered 404. The provider may mean the resource (someone
    /// deleted it there): the map forgets it, and the next reconciliation creates it again.
    /// Or it may mean something the PATCH named (a member it does not know) while the resource
    /// is there: it is kept. Either way the operation did not apply, and it is quarantined
    /// with the reason, so that it is reported until a later change of it applies.
    func gone(_ id: String, _ kind: ResourceKind, _ op: String, _ report: inout SCIMApplyReport) async throws {
        guard case .mapped(let providerID)? = try ids.entry(id, kind: kind) else { return }
        let subject = QuarantineSubject(kind, id)
        if try await client.get(providerID, at: kind.endpoint) != nil {
            let reason = "the SCIM provider answered 404 to \(op) while it has the resource"
            report.skipped.append(SCIMApplyReport.Skip(op: op, reason: reason))
            report.refused.append(SCIMApplyReport.Refusal(subject: subject, reason: reason))
            logger.error("SCIM provider refused an operation with 404 though it has the resource; quarantined", metadata: ["op": "\(op)"])
            return
        }
        try ids.forget(id, kind: kind)
        let reason = "gone from the SCIM provider (deleted there): the next reconciliation creates it again"
        report.skipped.append(SCIMApplyReport.Skip(op: op, reason: reason))
        report.refused.append(SCIMApplyReport.Refusal(subject: subject, reason: reason))
        logger.warning("resource gone from the SCIM provider; forgotten and quarantined", metadata: ["op": "\(op)"])
    }

    /// The provider's id of a source resource scimsync manages there, or nil. A pending
    /// create (its answer lost) is looked up by `externalId`, which scimsync sets to the source id.
    func providerID(_ sourceID: String, _ kind: ResourceKind) async throws -> String? {
        switch try ids.entry(sourceID, kind: kind) {
        case .mapped(let providerID)?:
            return providerID
        case .pending?:
            guard let providerID = try await providerID(externalID: sourceID, kind) else {
                try ids.forget(sourceID, kind: kind)
                return nil
            }
            try ids.map(sourceID, to: providerID, kind: kind)
            return providerID
        case nil:
            return nil
        }
    }

    /// The provider's id of the one resource whose `externalId` is `value`; nil when it has
    /// none, or more than one.
    func providerID(externalID value: String, _ kind: ResourceKind) async throws -> String? {
        let found = try await client.search(kind.endpoint, filter: Self.equals("externalId", value), count: 2)
        return found.resources.count == 1 ? found.resources[0].id : nil
    }

    /// `attribute eq "value"` with the value quoted as a JSON string (RFC 7644 §3.4.2.2).
    static func equals(_ attribute: String, _ value: String) -> String {
        Filter.compare(AttributePath(attribute: attribute), .eq, .string(value)).description
    }
}

/// What a batch did on the provider.
public struct SCIMApplyReport: Sendable, Hashable {
    /// Requests' worth of operations carried out (a create, a PATCH, a DELETE, a member chunk).
    public var applied = 0
    /// Resources found on the provider and taken over (`adopt: true`, or scimsync's own create
    /// whose answer was lost).
    public var adopted = 0
    /// Operations left out, with why (not scimsync's resource, refused by the provider).
    public var skipped: [Skip] = []
    /// The resources whose operation the provider refused (a 4xx about that resource): the
    /// pipeline quarantines them until an operation of theirs applies.
    public var refused: [Refusal] = []

    /// A resource the provider refused an operation of, with the provider's reason.
    public struct Refusal: Sendable, Hashable {
        public var subject: QuarantineSubject
        public var reason: String
        /// For a refused PATCH, the attributes it changed (see
        /// ``Connectors/QuarantinedResource/attributes``).
        public var attributes: Set<String>? = nil
    }

    /// One operation left out: what it was (kind and source ids, no values) and why.
    public struct Skip: Sendable, Hashable {
        public var op: String
        public var reason: String
    }

    public init() {}

    mutating func skip(_ op: ResourceOp, _ reason: String) {
        skipped.append(Skip(op: op.label, reason: reason))
    }
}

extension SCIMClientError {
    /// Whether the whole batch must stop (and be retried later) rather than skip one operation:
    /// the provider is unreachable or overloaded, refuses the token, answers with something
    /// that is not SCIM (a proxy's page), or the URL is wrong. A 400, 409, 412, 413 or 422
    /// concerns one resource, and so does an answer about another resource.
    var stopsTheBatch: Bool {
        switch self {
        case .provider(_, let status, _, _): ![400, 409, 412, 413, 422].contains(status)
        case .otherResource: false
        case .unreachable, .invalidResponse, .invalidURL: true
        }
    }
}

extension ResourceKind {
    var endpoint: SCIMEndpoint { self == .user ? .users : .groups }
}
