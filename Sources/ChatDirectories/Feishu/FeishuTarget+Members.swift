import Directory
import SCIM

extension FeishuTarget {
    /// A run of consecutive member additions and removals, gathered per user (a pair's last
    /// change wins, as applying them in order would leave it): one read and at most one
    /// "修改用户部分信息" with the whole `department_ids` per user. Departments scimsync does not
    /// manage stay in the list; a user left without a department goes to the default one (a
    /// Feishu user belongs to one at least: 41017), and leaves it when it gains another.
    func applyMemberChanges(_ ops: ArraySlice<ResourceOp>, _ report: inout ChatTargetReport) async throws {
        var order: [String] = []
        var changes: [String: [(group: String, add: Bool)]] = [:]
        for op in ops {
            switch op {
            case .addMember(let group, let user), .removeMember(let group, let user):
                if changes[user] == nil { order.append(user) }
                let add = if case .addMember = op { true } else { false }
                changes[user, default: []].removeAll { $0.group == group }
                changes[user, default: []].append((group, add))
            case .create, .patch, .delete, .deactivate, .reactivate, .moveParent:
                continue
            }
        }
        for user in order {
            let userChanges = changes[user] ?? []
            func op(_ change: (group: String, add: Bool)) -> ResourceOp {
                change.add ? .addMember(groupID: change.group, userID: user) : .removeMember(groupID: change.group, userID: user)
            }
            guard let userID = try await userID(user) else {
                for change in userChanges {
                    if change.add { report.park(op(change), waitingFor: .user, user) } else { report.skip(op(change), "user not in Feishu") }
                }
                continue
            }
            do {
                try await applyMemberChanges(of: user, userID: userID, userChanges.map(op), &report)
            } catch let error as FeishuError where error.refusesTheObject {
                for change in userChanges { refuse(op(change), error, &report) }
            }
        }
    }

    private func applyMemberChanges(of user: String, userID: String, _ ops: [ResourceOp], _ report: inout ChatTargetReport)
        async throws
    {
        guard let current = try await self.user(userID) else {
            try ids.forget(user, kind: .user)
            for op in ops { report.skip(op, "user gone from Feishu") }
            return
        }
        let before = Self.departments(of: current)
        var wanted = before
        var added: [(op: ResourceOp, department: String)] = []
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
        let placeholder = settings.defaultDepartment
        if wanted.contains(where: { $0 != placeholder }), !added.contains(where: { $0.department == placeholder }) {
            wanted.removeAll { $0 == placeholder }
        }
        if wanted.isEmpty { wanted = [placeholder] }
        // A user belongs to 50 departments at most (41033); the additions past it are refused.
        while wanted.count > Self.maxDepartmentsPerUser, let last = added.popLast() {
            wanted.removeAll { $0 == last.department }
            report.refused.append(
                .init(
                    subject: QuarantineSubject(last.op),
                    reason: "Feishu allows a user \(Self.maxDepartmentsPerUser) departments at most (code 41033)"))
        }
        guard wanted != before else { return }
        try await call(.PATCH, Self.userPatch, Self.userPath(userID), ["department_ids": .array(wanted.map { .string($0) })])
        report.applied += 1
    }
}
