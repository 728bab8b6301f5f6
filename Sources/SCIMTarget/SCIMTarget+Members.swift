import Directory
import SCIM
import SCIMClient

extension SCIMTarget {
    /// A run of consecutive member additions and removals, gathered per group (a pair's last
    /// change wins, as applying them in order would leave it) and sent in PATCHes of at most
    /// ``SCIMTargetOptions/membersPerPatch`` members. Members or groups scimsync does not
    /// manage on the provider are left out.
    func applyMemberChanges(_ ops: ArraySlice<ResourceOp>, _ report: inout SCIMApplyReport) async throws {
        var groups: [String] = []
        var changes: [String: [MemberChange]] = [:]
        for op in ops {
            switch op {
            case .addMember(let group, let user), .removeMember(let group, let user):
                if changes[group] == nil { groups.append(group) }
                let add = if case .addMember = op { true } else { false }
                changes[group, default: []].removeAll { $0.user == user }
                changes[group, default: []].append(MemberChange(user: user, add: add))
            case .create, .patch, .delete, .deactivate, .reactivate, .moveParent:
                continue
            }
        }
        var userIDs: [String: String?] = [:]
        for group in groups {
            guard let groupID = try await providerID(group, .group) else {
                for change in changes[group] ?? [] {
                    report.skip(change.op(group), "group not on the provider")
                }
                continue
            }
            var adding: [String] = []
            var removing: [String] = []
            for change in changes[group] ?? [] {
                if userIDs[change.user] == nil { userIDs[change.user] = .some(try await providerID(change.user, .user)) }
                guard let userID = userIDs[change.user] ?? nil else {
                    report.skip(change.op(group), "user not on the provider")
                    continue
                }
                if change.add { adding.append(userID) } else { removing.append(userID) }
            }
            for operations in MemberPatches.requests(adding: adding, removing: removing, limit: options.membersPerPatch) {
                do {
                    if try await client.patch(groupID, at: .groups, operations) {
                        report.applied += 1
                    } else {
                        try await gone(group, .group, "members of Group \(group)", &report)
                        break
                    }
                } catch let error as SCIMClientError where !error.stopsTheBatch {
                    report.skipped.append(SCIMApplyReport.Skip(op: "members of Group \(group)", reason: error.description))
                    // Quarantined, as a refused resource is: reported until a change of the
                    // group applies, instead of a log line alone.
                    report.refused.append(
                        SCIMApplyReport.Refusal(subject: .group(group), reason: "a member change was refused: \(error)"))
                    logger.error(
                        "SCIM provider refused a member change; quarantined",
                        metadata: ["group": "\(group)", "error": "\(error)"])
                }
            }
        }
    }
}

/// One member's last change in a run.
private struct MemberChange {
    var user: String
    var add: Bool

    func op(_ group: String) -> ResourceOp {
        add ? .addMember(groupID: group, userID: user) : .removeMember(groupID: group, userID: user)
    }
}
