import Directory
import SCIM
import SCIMClient

extension SCIMTarget {
    /// Create-or-overwrite by source id: a mapped resource is brought into line by a minimal
    /// PATCH of the managed attributes (nothing when it already matches: a replay changes
    /// nothing); otherwise a POST, its intent recorded first and its provider id right after.
    func create(_ kind: ResourceKind, _ resource: SCIMResource, _ report: inout SCIMApplyReport) async throws {
        guard let sourceID = resource.id else { return report.skip(.create(kind, resource), "no id") }
        let desired = outbound(resource, kind: kind)
        let entry = try ids.entry(sourceID, kind: kind)
        if case .mapped(let providerID)? = entry {
            if let current = try await client.get(providerID, at: kind.endpoint) {
                try await converge(current, providerID: providerID, to: desired, kind, &report)
                return
            }
            // Deleted on the provider behind scimsync's back: create it again.
            try ids.forget(sourceID, kind: kind)
        }
        if entry == nil { try ids.recordIntent(sourceID, kind: kind) }
        let outcome: SCIMClient.CreateOutcome
        do {
            outcome = try await client.create(desired, at: kind.endpoint)
        } catch {
            if case .otherResource = error {
                // Created, but the answer does not say as what: found by its externalId, as
                // after a lost answer.
                return try await mapCreatedWithoutID(sourceID, desired, kind, error, &report)
            }
            // Refused outright (400 ...): nothing was created, nothing may be pending.
            if !error.stopsTheBatch, entry == nil { try ids.forget(sourceID, kind: kind) }
            throw error
        }
        switch outcome {
        case .created(let created):
            try mapCreated(sourceID, to: created.id ?? "", desired, kind, &report)
        case .conflict(let error, let attempts):
            // A lost answer (an earlier run's, or this request's first attempt) means the
            // conflicting resource may be scimsync's own.
            let mayBeOurs = entry == .pending || attempts > 1
            try await resolveConflict(sourceID, desired, kind, error: error, mayBeOurs: mayBeOurs, &report)
        }
    }

    /// Maps a created resource to the provider's id, unless the provider gave that id to
    /// another resource before: every later change of either would land on one of them, so
    /// the second is refused, its map entry left out.
    private func mapCreated(
        _ sourceID: String, to providerID: String, _ desired: SCIMResource, _ kind: ResourceKind,
        _ report: inout SCIMApplyReport
    ) throws {
        if let other = try ids.sourceID(ofProvider: providerID, kind: kind), other != sourceID {
            try ids.forget(sourceID, kind: kind)
            let reason =
                "the SCIM provider answered the create with id \(LogText.safe(providerID, limit: 80)), which it gave to "
                + "\(kind.rawValue) \(LogText.safe(other, limit: 80)) before: not mapped; check the provider"
            report.skip(.create(kind, desired), reason)
            report.refused.append(SCIMApplyReport.Refusal(subject: QuarantineSubject(kind, sourceID), reason: reason))
            logger.error("SCIM provider gave a new resource an id it already uses; quarantined", metadata: [
                "resource": "\(kind.rawValue) \(sourceID)", "providerID": "\(LogText.safe(providerID, limit: 80))",
            ])
            return
        }
        try ids.map(sourceID, to: providerID, kind: kind)
        report.applied += 1
    }

    /// A create answered without the new resource's id: the resource is looked up by the
    /// `externalId` it was sent with. Not found (or found twice), it is quarantined, its intent
    /// left pending so that the next change of it looks again before it creates.
    private func mapCreatedWithoutID(
        _ sourceID: String, _ desired: SCIMResource, _ kind: ResourceKind, _ error: SCIMClientError,
        _ report: inout SCIMApplyReport
    ) async throws {
        if let providerID = try await providerID(externalID: desired.externalId ?? sourceID, kind), !providerID.isEmpty {
            return try mapCreated(sourceID, to: providerID, desired, kind, &report)
        }
        let reason = "\(error); no resource with its externalId was found"
        report.skip(.create(kind, desired), reason)
        report.refused.append(SCIMApplyReport.Refusal(subject: QuarantineSubject(kind, sourceID), reason: reason))
        logger.error("SCIM provider answered a create without an id; quarantined", metadata: [
            "resource": "\(kind.rawValue) \(sourceID)", "error": "\(error)",
        ])
    }

    /// RFC 7644 §3.3: 409 means a resource with the same unique attributes exists. It is
    /// found by `externalId`, then by `userName` (users) or `displayName` (groups), and taken
    /// over only when the pipeline adopts, or when it is scimsync's own lost create.
    private func resolveConflict(
        _ sourceID: String, _ desired: SCIMResource, _ kind: ResourceKind, error: SCIMError?, mayBeOurs: Bool,
        _ report: inout SCIMApplyReport
    ) async throws {
        let op = ResourceOp.create(kind, desired)
        let subject = QuarantineSubject(kind, sourceID)
        guard let existing = try await findExisting(sourceID, desired, kind), let providerID = existing.id else {
            try ids.forget(sourceID, kind: kind)
            // The provider's words, escaped and cut: they reach logs and status.
            let detail = error?.detail.map { ": \(LogText.safe($0, limit: 200))" } ?? ""
            let reason = "the SCIM provider refused the create as a conflict (409) and no resource of it was found\(detail)"
            report.skip(op, reason)
            report.refused.append(SCIMApplyReport.Refusal(subject: subject, reason: reason))
            logger.error(
                "SCIM provider refused a create as a conflict (409) but no matching resource was found; quarantined",
                metadata: ["op": "create \(kind.rawValue) \(sourceID)", "detail": "\(LogText.safe(error?.detail ?? "", limit: 200))"])
            return
        }
        let ours = mayBeOurs && existing.externalId == sourceID
        guard ours || options.adopt else {
            try ids.forget(sourceID, kind: kind)
            let reason = "the SCIM provider already has this resource and scimsync did not create it: left alone (set adopt: true on the pipeline to take it over)"
            report.skip(.create(kind, SCIMResource(["id": .string(sourceID)])), "exists on the provider, not adopted")
            report.refused.append(SCIMApplyReport.Refusal(subject: subject, reason: reason))
            logger.warning(
                "\(reason)",
                metadata: ["resource": "\(kind.rawValue) \(sourceID)", "providerID": "\(LogText.safe(providerID, limit: 200))"])
            return
        }
        try ids.map(sourceID, to: providerID, kind: kind)
        report.adopted += 1
        if !ours {
            logger.info("adopted a resource the SCIM provider already had", metadata: [
                "resource": "\(kind.rawValue) \(sourceID)", "providerID": "\(LogText.safe(providerID, limit: 200))",
            ])
        }
        try await converge(existing, providerID: providerID, to: desired, kind, &report)
    }

    private func findExisting(_ sourceID: String, _ desired: SCIMResource, _ kind: ResourceKind) async throws
        -> SCIMResource?
    {
        var filters = [Self.equals("externalId", desired.externalId ?? sourceID)]
        let unique = kind == .user ? "userName" : "displayName"
        if let value = desired[unique]?.stringValue { filters.append(Self.equals(unique, value)) }
        for filter in filters {
            let found = try await client.search(kind.endpoint, filter: filter, count: 2)
            if found.resources.count == 1 { return found.resources[0] }
        }
        return nil
    }

    /// PATCHes `current` into `desired` on the managed attributes only.
    private func converge(
        _ current: SCIMResource, providerID: String, to desired: SCIMResource, _ kind: ResourceKind,
        _ report: inout SCIMApplyReport
    ) async throws {
        let projected = SCIMResource(options.managed.project(current.attributes, kind: kind))
        let operations = patchOperations(from: projected, to: desired)
        guard !operations.isEmpty else { return }
        try await client.patch(providerID, at: kind.endpoint, operations)
        report.applied += 1
    }

    /// The resource as the provider gets it: its id is the provider's to choose, so the source
    /// id travels as `externalId` (RFC 7643 §3.1) unless the layout maps that itself; a group's
    /// members come as member operations.
    func outbound(_ resource: SCIMResource, kind: ResourceKind) -> SCIMResource {
        var attributes = resource.attributes
        let sourceID = resource.id
        _ = attributes.removeValue(forKey: "id")
        _ = attributes.removeValue(forKey: "meta")
        if kind == .group { _ = attributes.removeValue(forKey: "members") }
        if attributes["externalId"] == nil, let sourceID { attributes["externalId"] = .string(sourceID) }
        if attributes["schemas"] == nil {
            attributes["schemas"] = [.string(kind == .user ? SchemaURN.user : SchemaURN.group)]
        }
        return SCIMResource(attributes)
    }
}
