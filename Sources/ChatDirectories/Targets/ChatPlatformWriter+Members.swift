import Directory
import SCIM

extension ChatPlatformWriter {
    /// A run of consecutive member additions and removals, gathered per user (a pair's last
    /// change wins, as applying them in order would leave it): one read and at most one update
    /// of the user's whole department list per user. Departments scimsync does not manage stay
    /// in the list; a user left without a department goes to the default one (every platform
    /// requires one), and leaves it when it gains another.
    func applyMemberChanges(_ ops: ArraySlice<ResourceOp>, _ report: inout ChatTargetReport) async throws {
        for (user, userChanges) in ChatTargetOps.memberChangesPerUser(ops) {
            func op(_ change: (group: String, add: Bool)) -> ResourceOp {
                change.add ? .addMember(groupID: change.group, userID: user) : .removeMember(groupID: change.group, userID: user)
            }
            guard let userID = try await userID(user) else {
                for change in userChanges {
                    if change.add {
                        report.park(op(change), waitingFor: .user, user)
                    } else {
                        report.skip(op(change), "user not in \(Self.platform)")
                    }
                }
                continue
            }
            do {
                try await applyMemberChanges(of: user, userID: userID, userChanges.map(op), &report)
            } catch {
                guard let reason = refusal(error) else { throw error }
                for change in userChanges { refuse(op(change), reason: reason, &report) }
            }
        }
    }

    private func applyMemberChanges(of user: String, userID: String, _ ops: [ResourceOp], _ report: inout ChatTargetReport)
        async throws
    {
        guard let current = try await self.user(userID) else {
            try ids.forget(user, kind: .user)
            for op in ops { report.skip(op, "user gone from \(Self.platform)") }
            return
        }
        let before = departments(of: current)
        var wanted = before
        var added: [(op: ResourceOp, department: DepartmentID)] = []
        for op in ops {
            guard case .addMember(let group, _) = op else {
                if case .removeMember(let group, _) = op, let department = try await departmentID(group) {
                    wanted.removeAll { $0 == department }
                }
                continue
            }
            guard let department = try await departmentID(group) else {
                report.park(op, waitingFor: .group, group)
                continue
            }
            if !wanted.contains(department) {
                wanted.append(department)
                added.append((op, department))
            }
        }
        let placeholder = defaultDepartment
        if wanted.contains(where: { $0 != placeholder }), !added.contains(where: { $0.department == placeholder }) {
            wanted.removeAll { $0 == placeholder }
        }
        if wanted.isEmpty { wanted = [placeholder] }
        // Every platform caps a user's departments; the additions past the cap are refused,
        // the rest of the list is written.
        while wanted.count > Self.maxDepartmentsPerUser, let last = added.popLast() {
            wanted.removeAll { $0 == last.department }
            report.refused.append(
                .init(
                    subject: QuarantineSubject(last.op),
                    reason: "\(Self.platform) allows a user \(Self.maxDepartmentsPerUser) departments at most "
                        + "(\(Self.tooManyDepartmentsCode))"))
        }
        guard wanted != before else { return }
        try await setDepartments(wanted, ofUser: userID)
        report.applied += 1
    }
}
