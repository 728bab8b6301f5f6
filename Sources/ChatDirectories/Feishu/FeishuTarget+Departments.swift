import Directory
import SCIM

extension FeishuTarget {
    /// Create-or-overwrite by source id. A mapped department is read and renamed when its name
    /// differs; otherwise "创建部门" with the chosen `department_id` under `parent` (when the
    /// batch moves it under a department Feishu has, else the root: its `moveParent` follows),
    /// its intent recorded first. 43007 (the `department_id` is taken) or 43022 (the name is
    /// taken under the parent) with a department at the chosen id is scimsync's own lost create
    /// when the intent was recorded before, or a department scimsync did not make: read and
    /// brought into line when ours or `adopt`, refused otherwise.
    func createDepartment(_ resource: SCIMResource, parent: String?, _ report: inout ChatTargetReport) async throws {
        let op = ResourceOp.create(.group, resource)
        guard let sourceID = resource.id else { return report.skip(op, "no id") }
        let desired = try fields(resource, groups)
        let name = desired.first { $0.field == "name" }?.value ?? nil
        let entry = try ids.entry(sourceID, kind: .group)
        let departmentID: String
        if case .mapped(let mapped)? = entry {
            departmentID = mapped
            if try await convergeDepartment(departmentID, name: name, &report) { return }
            // Deleted in Feishu behind scimsync's back: create it again.
        } else {
            departmentID = FeishuTargetID.forSourceID(sourceID)
        }
        var parentID = FeishuTargetConfig.root
        if let parent, case .mapped(let mapped)? = try ids.entry(parent, kind: .group) { parentID = mapped }
        if entry == nil { try ids.recordIntent(sourceID, kind: .group) }
        var body: SCIMObject = ["department_id": .string(departmentID), "parent_department_id": .string(parentID)]
        if let name { body["name"] = .string(name) }
        do {
            try await call(.POST, Self.departmentCreate, Self.departmentsPath, body)
            try ids.map(sourceID, to: departmentID, kind: .group)
            report.applied += 1
        } catch let error as FeishuError where error.code == 43007 || error.code == 43022 {
            // Feishu checks the name among the parent's children before the id: a lost create
            // replayed under the same parent with the same name answers 43022 ("department name
            // duplicate"), not 43007. Either is ours only when a department has the id it was
            // sent with.
            let ours = entry != nil
            // A department another source group already stands for is never taken over.
            guard ours || adopt, try ids.sourceIDs(.group)[departmentID] == nil || entry == .mapped(departmentID),
                try await department(departmentID) != nil
            else {
                if entry == nil { try ids.forget(sourceID, kind: .group) }
                throw error
            }
            try ids.map(sourceID, to: departmentID, kind: .group)
            report.adopted += 1
            if !ours {
                logger.info("adopted a Feishu department scimsync did not create", metadata: ["resource": "Group \(sourceID)"])
            }
            _ = try await convergeDepartment(departmentID, name: name, &report)
        } catch let error as FeishuError where error.refusesTheObject {
            if entry == nil { try ids.forget(sourceID, kind: .group) }
            throw error
        }
    }

    /// `GET /open-apis/contact/v3/departments/:department_id`'s `department`, or nil for 40015
    /// ("department not exist").
    func department(_ departmentID: String) async throws -> SCIMObject? {
        do {
            let answer = try await call(.GET, Self.departmentGet, Self.departmentPath(departmentID))
            guard let department = answer["department"]?.objectValue else {
                throw FeishuError.invalidAnswer(api: Self.departmentGet, reason: "no \"department\" object")
            }
            return department
        } catch where (error as? FeishuError)?.code == FeishuObjects.departmentNotFound {
            return nil
        }
    }

    /// Renames the department when its name differs; false when Feishu has no such department.
    private func convergeDepartment(_ departmentID: String, name: String?, _ report: inout ChatTargetReport) async throws
        -> Bool
    {
        guard let current = try await department(departmentID) else { return false }
        guard let name, current["name"]?.stringValue != name else { return true }
        try await call(.PATCH, Self.departmentPatch, Self.departmentPath(departmentID), ["name": .string(name)])
        report.applied += 1
        return true
    }

    /// A PATCH on a mapped department: its name, as the patched resource maps it.
    func patchDepartment(_ id: String, _ operations: [PatchOperation], _ op: ResourceOp, _ report: inout ChatTargetReport)
        async throws
    {
        guard let departmentID = try await departmentID(id) else { return report.park(op, waitingFor: .group, id) }
        guard let current = try await department(departmentID) else { return try gone(id, .group, op, &report) }
        var resource = try groups.resource(from: FeishuRecords.row(current, fields: groups))
        resource.attributes["id"] = .string(id)
        let patched = try resource.applying(operations)
        let name = try fields(patched, groups).first { $0.field == "name" }?.value ?? nil
        guard try await convergeDepartment(departmentID, name: name, &report) else { return try gone(id, .group, op, &report) }
    }

    /// The `department_id` of a department scimsync manages in Feishu, or nil; a pending create
    /// is resolved by reading the id it was sent with.
    func departmentID(_ sourceID: String) async throws -> String? {
        try await resolve(sourceID, .group, sentAs: FeishuTargetID.forSourceID(sourceID)) { try await department($0) != nil }
    }

    /// "修改部门部分信息" with a `parent_department_id`: a source group without a parent is a
    /// child of the root `0`. A parent Feishu does not have yet parks the move until it arrives.
    func moveDepartment(_ id: String, under parent: String?, _ op: ResourceOp, _ report: inout ChatTargetReport)
        async throws
    {
        guard let departmentID = try await departmentID(id) else { return report.park(op, waitingFor: .group, id) }
        var parentID = FeishuTargetConfig.root
        if let parent {
            guard let mapped = try await self.departmentID(parent) else { return report.park(op, waitingFor: .group, parent) }
            parentID = mapped
        }
        guard let current = try await department(departmentID) else { return try gone(id, .group, op, &report) }
        let now = current["parent_department_id"]?.stringValue ?? ""
        guard (now.isEmpty ? FeishuTargetConfig.root : now) != parentID else { return }
        try await call(
            .PATCH, Self.departmentPatch, Self.departmentPath(departmentID), ["parent_department_id": .string(parentID)])
        report.applied += 1
    }

    /// "删除部门": Feishu deletes an empty department only (43011 "delete has member dept
    /// error", 43012 "delete has sub dept department error"). Its users were ordered out by the
    /// batch before; a department whose sub-departments the batch deletes later answers false,
    /// to be tried after them. A department already gone is fine; only departments scimsync
    /// created are deleted.
    func deleteDepartment(_ id: String, _ report: inout ChatTargetReport) async throws -> Bool {
        guard let departmentID = try await departmentID(id) else { return true }
        var evicted = false
        while true {
            do {
                try await call(.DELETE, Self.departmentDelete, Self.departmentPath(departmentID))
                report.applied += 1
            } catch where (error as? FeishuError)?.code == 43012 {
                return false
            } catch where (error as? FeishuError)?.code == 43011 && !evicted {
                // Members the batch did not take out (a source that deletes a group without
                // its memberships): scimsync's users leave it, then the delete is tried again.
                try await evictMembers(of: departmentID, &report)
                evicted = true
                continue
            } catch where (error as? FeishuError)?.code == FeishuObjects.departmentOutOfRange {
                // Feishu answers a department it does not have so ("no dept authority error"):
                // gone when a read says so, else the scope is the operator's to widen.
                guard try await department(departmentID) == nil else { throw error }
            }
            try ids.forget(id, kind: .group)
            return true
        }
    }

    /// Takes scimsync's users out of a department (into the default department when it was
    /// their last); others stay, and the delete is refused for them.
    private func evictMembers(of departmentID: String, _ report: inout ChatTargetReport) async throws {
        let ours = try ids.sourceIDs(.user)
        var members: [SCIMObject] = []
        var pageToken: String?
        repeat {
            var query = Self.idTypes + [("department_id", departmentID), ("page_size", "50")]
            if let pageToken { query.append(("page_token", pageToken)) }
            let answer = try await client.get(
                api: FeishuDirectoryRead.usersAPI, path: "/open-apis/contact/v3/users/find_by_department", query: query)
            members += answer["items"]?.arrayValue?.compactMap(\.objectValue) ?? []
            let next = answer["page_token"]?.stringValue
            pageToken = answer["has_more"]?.boolValue == true && next != pageToken ? next : nil
        } while pageToken != nil
        for member in members {
            guard let userID = member["user_id"]?.stringValue, ours[userID] != nil else { continue }
            var wanted = Self.departments(of: member).filter { $0 != departmentID }
            if wanted.isEmpty { wanted = [settings.defaultDepartment] }
            try await call(
                .PATCH, Self.userPatch, Self.userPath(userID), ["department_ids": .array(wanted.map { .string($0) })])
            report.applied += 1
        }
    }
}
