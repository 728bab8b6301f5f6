import Directory
import SCIM

extension WeComTarget {
    /// A run of consecutive member additions and removals, gathered per user: one read and at
    /// most one 更新成员 with the whole `department` list per user. Departments scimsync does not
    /// manage stay in the list; a member left without a department goes to the default one
    /// (创建成员: `department` is required), and leaves it when it gains another.
    func applyMemberChanges(_ ops: ArraySlice<ResourceOp>, _ report: inout ChatTargetReport) async throws {
        for (user, userChanges) in ChatTargetOps.memberChangesPerUser(ops) {
            func op(_ change: (group: String, add: Bool)) -> ResourceOp {
                change.add ? .addMember(groupID: change.group, userID: user) : .removeMember(groupID: change.group, userID: user)
            }
            guard let userid = try await userID(user) else {
                for change in userChanges {
                    if change.add { report.park(op(change), waitingFor: .user, user) } else { report.skip(op(change), "user not in WeCom") }
                }
                continue
            }
            do {
                try await applyMemberChanges(of: user, userid: userid, userChanges.map(op), &report)
            } catch let error as WeComError where error.refusesTheObject {
                for change in userChanges { refuse(op(change), error, &report) }
            }
        }
    }

    private func applyMemberChanges(of user: String, userid: String, _ ops: [ResourceOp], _ report: inout ChatTargetReport)
        async throws
    {
        guard let current = try await self.user(userid) else {
            try ids.forget(user, kind: .user)
            for op in ops { report.skip(op, "user gone from WeCom") }
            return
        }
        let before = Self.departments(of: current)
        var wanted = before
        var added: [(op: ResourceOp, department: Int64)] = []
        for op in ops {
            guard case .addMember(let group, _) = op else {
                if case .removeMember(let group, _) = op, case .mapped(let mapped)? = try ids.entry(group, kind: .group),
                    let department = Int64(mapped)
                {
                    wanted.removeAll { $0 == department }
                }
                continue
            }
            guard case .mapped(let mapped)? = try ids.entry(group, kind: .group), let department = Int64(mapped) else {
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
        // 创建成员: "成员所属部门id列表，不超过100个" (60110); the additions past it are refused.
        while wanted.count > Self.maxDepartmentsPerUser, let last = added.popLast() {
            wanted.removeAll { $0 == last.department }
            report.refused.append(
                .init(
                    subject: QuarantineSubject(last.op),
                    reason: "WeCom allows a member \(Self.maxDepartmentsPerUser) departments at most (errcode 60110)"))
        }
        guard wanted != before else { return }
        try await write(Self.userUpdate, ["userid": .string(userid), "department": .array(wanted.map { SCIMValue.integer($0) })])
        report.applied += 1
    }
}
