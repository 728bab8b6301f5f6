import Directory
import SCIM

extension WeComTarget {
    /// Create-or-overwrite by source id. A mapped department is read and renamed when its
    /// fields differ; otherwise 创建部门 under `parent` (when the batch moves it under a
    /// department WeCom has, else the root: its `moveParent` follows), its intent recorded first
    /// and WeCom's `id` right after. WeCom picks the id: a source id is not always a 32-bit
    /// number above 1, and one of WeCom's own departments may hold it. 60008 (the name is taken
    /// under the parent) is looked up and taken over when it is scimsync's own lost create or
    /// under `adopt`.
    func createDepartment(_ resource: SCIMResource, parent: String?, _ report: inout ChatTargetReport) async throws {
        let op = ResourceOp.create(.group, resource)
        guard let sourceID = resource.id else { return report.skip(op, "no id") }
        let desired = try fields(resource, groups)
        let name = desired.first { $0.field == "name" }?.value ?? nil
        let entry = try ids.entry(sourceID, kind: .group)
        if case .mapped(let mapped)? = entry, let number = Int64(mapped) {
            if try await convergeDepartment(number, to: desired, &report) { return }
            // Deleted in WeCom behind scimsync's back: create it again.
        }
        let parentID: Int64
        if let parent, case .mapped(let mapped)? = try ids.entry(parent, kind: .group), let number = Int64(mapped) {
            parentID = number
        } else {
            parentID = WeComTargetConfig.root
        }
        if entry == nil { try ids.recordIntent(sourceID, kind: .group) }
        var body: SCIMObject = ["parentid": .integer(parentID)]
        for (field, value) in desired {
            if let value { body[field] = .string(value) }
        }
        do {
            let answer = try await write(Self.departmentCreate, body)
            guard let id = WeComRecords.departmentID(answer["id"]) else {
                throw WeComError.invalidAnswer(api: Self.departmentCreate, reason: "no \"id\"")
            }
            if try refusesAnIDInUse(id, for: sourceID, kind: .group, forgetting: entry == nil, op, &report) { return }
            try ids.map(sourceID, to: id, kind: .group)
            report.applied += 1
        } catch let error as WeComError where error.code == 60008 {
            let ours = entry != nil
            // A department another source group already stands for is never taken over: two
            // groups of one name under one parent are the source's to tell apart.
            guard ours || adopt, let name, let existing = try await child(named: name, of: parentID),
                try ids.sourceIDs(.group)[String(existing)] == nil
            else {
                if entry == nil { try ids.forget(sourceID, kind: .group) }
                throw error
            }
            try ids.map(sourceID, to: String(existing), kind: .group)
            report.adopted += 1
            if !ours {
                logger.info("adopted a WeCom department scimsync did not create", metadata: ["resource": "Group \(sourceID)"])
            }
            _ = try await convergeDepartment(existing, to: desired, &report)
        } catch let error as WeComError where error.refusesTheObject {
            if entry == nil { try ids.forget(sourceID, kind: .group) }
            throw error
        }
    }

    /// The id of `parent`'s child named `name`: 获取部门列表 (`department/list?id=`, the parent and
    /// everything under it) with the app's secret; where WeCom refuses it to the app (48002),
    /// 获取子部门ID列表 and 获取单个部门详情 of each direct child.
    private func child(named name: String, of parent: Int64) async throws -> Int64? {
        func isChild(_ department: SCIMObject) -> Bool {
            WeComRecords.departmentID(department["parentid"]) == String(parent)
        }
        do {
            let answer = try await read(WeComDirectoryRead.departmentListAPI, [("id", String(parent))])
            for department in answer["department"]?.arrayValue?.compactMap(\.objectValue) ?? []
            where isChild(department) && department["name"]?.stringValue == name {
                return WeComRecords.departmentID(department["id"]).flatMap { Int64($0) }
            }
            return nil
        } catch WeComError.refused(_, _, WeComDirectoryRead.forbidden, _) {}
        let answer = try await read(WeComDirectoryRead.simpleListAPI, [("id", String(parent))])
        for entry in answer["department_id"]?.arrayValue?.compactMap(\.objectValue) ?? [] where isChild(entry) {
            guard let id = WeComRecords.departmentID(entry["id"]).flatMap({ Int64($0) }),
                let department = try await self.department(id), department["name"]?.stringValue == name
            else { continue }
            return id
        }
        return nil
    }

    /// 获取单个部门详情's `department` with the app's secret, or nil for 60003.
    func department(_ id: Int64) async throws -> SCIMObject? {
        do {
            let answer = try await read(WeComDirectoryRead.departmentAPI, [("id", String(id))])
            guard let department = answer["department"]?.objectValue else {
                throw WeComError.invalidAnswer(api: WeComDirectoryRead.departmentAPI, reason: "no \"department\" object")
            }
            return department
        } catch WeComError.refused(_, _, WeComDirectoryRead.departmentNotFound, _) {
            return nil
        }
    }

    /// Updates the department's mapped fields that differ; false when WeCom has no such
    /// department.
    private func convergeDepartment(_ id: Int64, to desired: [(field: String, value: String?)], _ report: inout ChatTargetReport)
        async throws -> Bool
    {
        guard let current = try await department(id) else { return false }
        var body: SCIMObject = ["id": .integer(id)]
        for (field, value) in desired {
            let now = WeComRecords.value(of: field, in: current).platformFieldText
            guard now != value else { continue }
            if let value {
                body[field] = .string(value)
            } else if field != "name" {
                body[field] = ""
            }
        }
        guard body.count > 1 else { return true }
        try await write(Self.departmentUpdate, body)
        report.applied += 1
        return true
    }

    /// A PATCH on a mapped department: its fields, as the patched resource maps them.
    func patchDepartment(_ id: String, _ operations: [PatchOperation], _ op: ResourceOp, _ report: inout ChatTargetReport)
        async throws
    {
        guard case .mapped(let mapped)? = try ids.entry(id, kind: .group), let number = Int64(mapped) else {
            return report.park(op, waitingFor: .group, id)
        }
        guard let current = try await department(number) else { return try gone(id, .group, op, &report) }
        var resource = try groups.resource(from: WeComRecords.row(current, fields: groups))
        resource.attributes["id"] = .string(id)
        let patched = try resource.applying(operations)
        guard try await convergeDepartment(number, to: try fields(patched, groups), &report) else {
            return try gone(id, .group, op, &report)
        }
    }

    /// 更新部门 with a `parentid`: a source group without a parent is a child of the root. A
    /// parent WeCom does not have yet parks the move until it arrives; a tree deeper than 15
    /// levels is refused (81002, "部门的最大层级为15层").
    func moveDepartment(_ id: String, under parent: String?, _ op: ResourceOp, _ report: inout ChatTargetReport) async throws {
        guard case .mapped(let mapped)? = try ids.entry(id, kind: .group), let number = Int64(mapped) else {
            return report.park(op, waitingFor: .group, id)
        }
        var parentID = WeComTargetConfig.root
        if let parent {
            guard case .mapped(let parentMapped)? = try ids.entry(parent, kind: .group), let parentNumber = Int64(parentMapped)
            else {
                return report.park(op, waitingFor: .group, parent)
            }
            parentID = parentNumber
        }
        guard let current = try await department(number) else { return try gone(id, .group, op, &report) }
        guard WeComRecords.departmentID(current["parentid"]) != String(parentID) else { return }
        try await write(Self.departmentUpdate, ["id": .integer(number), "parentid": .integer(parentID)])
        report.applied += 1
    }

    /// 删除部门: "不能删除根部门；不能删除含有子部门、成员的部门" (60006 sub-departments, 60005
    /// members). Its users were ordered out by the batch before; a department whose
    /// sub-departments the batch deletes later answers false, to be tried after them. A
    /// department already gone is fine; only departments scimsync created are deleted.
    func deleteDepartment(_ id: String, _ report: inout ChatTargetReport) async throws -> Bool {
        guard case .mapped(let mapped)? = try ids.entry(id, kind: .group), let number = Int64(mapped) else {
            if try ids.entry(id, kind: .group) == .pending { try ids.forget(id, kind: .group) }
            return true
        }
        var evicted = false
        while true {
            do {
                try await delete(Self.departmentDelete, "id", String(number))
                report.applied += 1
            } catch WeComError.refused(_, _, WeComDirectoryRead.departmentNotFound, _) {
            } catch WeComError.refused(_, _, 60006, _) {
                return false
            } catch WeComError.refused(_, _, 60005, _) where !evicted {
                // Members the batch did not take out (a source that deletes a group without
                // its memberships): scimsync's members leave it, then the delete is tried again.
                try await evictMembers(of: number, &report)
                evicted = true
                continue
            }
            try ids.forget(id, kind: .group)
            return true
        }
    }

    /// Takes scimsync's members out of a department (into the default department when it was
    /// their last); others stay, and the delete is refused for them.
    private func evictMembers(of department: Int64, _ report: inout ChatTargetReport) async throws {
        let ours = try ids.sourceIDs(.user)
        let answer = try await read(WeComDirectoryRead.usersAPI, [("department_id", String(department))])
        for member in answer["userlist"]?.arrayValue?.compactMap(\.objectValue) ?? [] {
            guard let userid = member["userid"]?.stringValue, ours[userid] != nil else { continue }
            var wanted = Self.departments(of: member).filter { $0 != department }
            if wanted.isEmpty { wanted = [settings.defaultDepartment] }
            try await write(Self.userUpdate, ["userid": .string(userid), "department": .array(wanted.map { SCIMValue.integer($0) })])
            report.applied += 1
        }
    }
}
