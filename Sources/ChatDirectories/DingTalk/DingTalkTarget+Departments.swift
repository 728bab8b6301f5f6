import Directory
import SCIM

extension DingTalkTarget {
    /// Create-or-overwrite by source id. A mapped department is read and renamed when its name
    /// differs; otherwise "创建部门" under `parent` (when the batch moves it under a department
    /// DingTalk has, else the root: its `moveParent` follows), its intent recorded first and
    /// DingTalk's `dept_id` right after. 60008 (the name is taken under the parent) is looked
    /// up with `listsub` and taken over when it is scimsync's own lost create or under `adopt`.
    func createDepartment(_ resource: SCIMResource, parent: String?, _ report: inout ChatTargetReport) async throws {
        let op = ResourceOp.create(.group, resource)
        guard let sourceID = resource.id else { return report.skip(op, "no id") }
        let desired = try fields(resource, groups)
        let name = desired.first { $0.field == "name" }?.value ?? nil
        let entry = try ids.entry(sourceID, kind: .group)
        if case .mapped(let deptID)? = entry, let number = Int64(deptID) {
            if try await convergeDepartment(number, name: name, &report) { return }
            // Deleted in DingTalk behind scimsync's back: create it again.
        }
        let parentID: Int64
        if let parent, case .mapped(let mapped)? = try ids.entry(parent, kind: .group), let number = Int64(mapped) {
            parentID = number
        } else {
            parentID = DingTalkTargetConfig.root
        }
        if entry == nil { try ids.recordIntent(sourceID, kind: .group) }
        var body: SCIMObject = ["parent_id": .integer(parentID)]
        if let name { body["name"] = .string(name) }
        do {
            let answer = try await call(Self.departmentCreate, body)
            guard let deptID = DingTalkRecords.departmentID(answer["result"]?.objectValue?["dept_id"]) else {
                throw DingTalkError.invalidAnswer(api: Self.departmentCreate.api, reason: "no \"result\".\"dept_id\"")
            }
            if try refusesAnIDInUse(String(deptID), for: sourceID, kind: .group, forgetting: entry == nil, op, &report) { return }
            try ids.map(sourceID, to: String(deptID), kind: .group)
            report.applied += 1
        } catch let error as DingTalkError where error.code == 60008 {
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
                logger.info("adopted a DingTalk department scimsync did not create", metadata: ["resource": "Group \(sourceID)"])
            }
        } catch let error as DingTalkError where error.refusesTheObject {
            if entry == nil { try ids.forget(sourceID, kind: .group) }
            throw error
        }
    }

    /// The `dept_id` of `parent`'s child named `name` ("获取部门列表": the next level only).
    private func child(named name: String, of parent: Int64) async throws -> Int64? {
        let answer = try await client.call(
            api: DingTalkDirectoryRead.listsubAPI, path: DingTalkDirectoryRead.listsubPath, body: ["dept_id": .integer(parent)])
        for child in answer["result"]?.arrayValue?.compactMap(\.objectValue) ?? [] where child["name"]?.stringValue == name {
            return DingTalkRecords.departmentID(child["dept_id"])
        }
        return nil
    }

    /// `topapi/v2/department/get`'s `result`, or nil for 60003 ("部门不存在").
    func department(_ deptID: Int64) async throws -> SCIMObject? {
        do {
            let answer = try await call(Self.departmentGet, ["dept_id": .integer(deptID)])
            guard let result = answer["result"]?.objectValue else {
                throw DingTalkError.invalidAnswer(api: Self.departmentGet.api, reason: "no \"result\" object")
            }
            return result
        } catch where (error as? DingTalkError)?.code == DingTalkObjects.departmentNotFound {
            return nil
        }
    }

    /// Renames the department when its name differs; false when DingTalk has no such department.
    private func convergeDepartment(_ deptID: Int64, name: String?, _ report: inout ChatTargetReport) async throws -> Bool {
        guard let current = try await department(deptID) else { return false }
        guard let name, current["name"]?.stringValue != name else { return true }
        _ = try await call(Self.departmentUpdate, ["dept_id": .integer(deptID), "name": .string(name)])
        report.applied += 1
        return true
    }

    /// A PATCH on a mapped department: its name, as the patched resource maps it.
    func patchDepartment(_ id: String, _ operations: [PatchOperation], _ op: ResourceOp, _ report: inout ChatTargetReport)
        async throws
    {
        guard case .mapped(let mapped)? = try ids.entry(id, kind: .group), let deptID = Int64(mapped) else {
            return report.park(op, waitingFor: .group, id)
        }
        guard let current = try await department(deptID) else { return try gone(id, .group, op, &report) }
        var resource = try groups.resource(from: DingTalkRecords.row(current, fields: groups))
        resource.attributes["id"] = .string(id)
        let patched = try resource.applying(operations)
        let name = try fields(patched, groups).first { $0.field == "name" }?.value ?? nil
        guard try await convergeDepartment(deptID, name: name, &report) else { return try gone(id, .group, op, &report) }
    }

    /// "更新部门" with a `parent_id`: a source group without a parent is a child of the root. A
    /// parent DingTalk does not have yet parks the move until it arrives.
    func moveDepartment(_ id: String, under parent: String?, _ op: ResourceOp, _ report: inout ChatTargetReport)
        async throws
    {
        guard case .mapped(let mapped)? = try ids.entry(id, kind: .group), let deptID = Int64(mapped) else {
            return report.park(op, waitingFor: .group, id)
        }
        var parentID = DingTalkTargetConfig.root
        if let parent {
            guard case .mapped(let parentMapped)? = try ids.entry(parent, kind: .group), let number = Int64(parentMapped) else {
                return report.park(op, waitingFor: .group, parent)
            }
            parentID = number
        }
        guard let current = try await department(deptID) else { return try gone(id, .group, op, &report) }
        guard DingTalkRecords.departmentID(current["parent_id"]) != parentID else { return }
        _ = try await call(Self.departmentUpdate, ["dept_id": .integer(deptID), "parent_id": .integer(parentID)])
        report.applied += 1
    }

    /// "删除部门": DingTalk deletes an empty department only (60005 members, 60006
    /// sub-departments). Its users were ordered out by the batch before; a department whose
    /// sub-departments the batch deletes later answers false, to be tried after them. A
    /// department already gone is fine; only departments scimsync created are deleted.
    func deleteDepartment(_ id: String, _ report: inout ChatTargetReport) async throws -> Bool {
        guard case .mapped(let mapped)? = try ids.entry(id, kind: .group), let deptID = Int64(mapped) else {
            if try ids.entry(id, kind: .group) == .pending { try ids.forget(id, kind: .group) }
            return true
        }
        var evicted = false
        while true {
            do {
                _ = try await call(Self.departmentDelete, ["dept_id": .integer(deptID)])
                report.applied += 1
            } catch where (error as? DingTalkError)?.code == DingTalkObjects.departmentNotFound {
            } catch where (error as? DingTalkError)?.code == 60006 {
                return false
            } catch where (error as? DingTalkError)?.code == 60005 && !evicted {
                // Members the batch did not take out (a source that deletes a group without
                // its memberships): scimsync's users leave it, then the delete is tried again.
                try await evictMembers(of: deptID, &report)
                evicted = true
                continue
            }
            try ids.forget(id, kind: .group)
            return true
        }
    }

    /// Takes scimsync's users out of a department (into the default department when it was
    /// their last); others stay, and the delete is refused for them.
    private func evictMembers(of deptID: Int64, _ report: inout ChatTargetReport) async throws {
        let ours = try ids.sourceIDs(.user)
        var members: [SCIMObject] = []
        var cursor: Int64 = 0
        while true {
            let answer = try await client.call(
                api: DingTalkDirectoryRead.userListAPI, path: DingTalkDirectoryRead.userListPath,
                body: ["dept_id": .integer(deptID), "cursor": .integer(cursor), "size": 100])
            let result = answer["result"]?.objectValue
            members += result?["list"]?.arrayValue?.compactMap(\.objectValue) ?? []
            guard result?["has_more"]?.boolValue == true, case .integer(let next)? = result?["next_cursor"], next > cursor else {
                break
            }
            cursor = next
        }
        for member in members {
            guard let userid = member["userid"]?.stringValue, ours[userid] != nil else { continue }
            var wanted = Self.departments(of: member).filter { $0 != deptID }
            if wanted.isEmpty { wanted = [settings.defaultDepartment] }
            _ = try await call(Self.userUpdate, ["userid": .string(userid), "dept_id_list": .string(Self.list(wanted))])
            report.applied += 1
        }
    }
}
