import Directory
import SCIM

extension DingTalkTarget {
    /// A run of consecutive member additions and removals, gathered per user (a pair's last
    /// change wins, as applying them in order would leave it): one read and at most one
    /// "更新用户信息" with the whole `dept_id_list` per user. Departments scimsync does not
    /// manage stay in the list; a user left without a department goes to the default one (a
    /// DingTalk user belongs to one at least), and leaves it when it gains another.
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
            guard let userid = try await userID(user) else {
                for change in userChanges {
                    if change.add { report.park(op(change), waitingFor: .user, user) } else { report.skip(op(change), "user not in DingTalk") }
                }
                continue
            }
            do {
                try await applyMemberChanges(of: user, userid: userid, userChanges.map(op), &report)
            } catch let error as DingTalkError where error.refusesTheObject {
                for change in userChanges { refuse(op(change), error, &report) }
            }
        }
    }

    private func applyMemberChanges(of user: String, userid: String, _ ops: [ResourceOp], _ report: inout ChatTargetReport)
        async throws
    {
        guard let current = try await self.user(userid) else {
            try ids.forget(user, kind: .user)
            for op in ops { report.skip(op, "user gone from DingTalk") }
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
        // "创建用户": at most 100 departments (60110); the additions past it are refused.
        while wanted.count > Self.maxDepartmentsPerUser, let last = added.popLast() {
            wanted.removeAll { $0 == last.department }
            report.refused.append(
                .init(
                    subject: QuarantineSubject(last.op),
                    reason: "DingTalk allows a user \(Self.maxDepartmentsPerUser) departments at most (errcode 60110)"))
        }
        guard wanted != before else { return }
        _ = try await call(Self.userUpdate, ["userid": .string(userid), "dept_id_list": .string(Self.list(wanted))])
        report.applied += 1
    }
}
