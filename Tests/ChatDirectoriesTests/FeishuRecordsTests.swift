import Connectors
import Directory
import Reconcile
import SCIM
import Testing

@testable import ChatDirectories

/// Feishu's objects as SCIM resources through the default attribute maps, and a read as a
/// first load's phases; no server.
@Suite struct FeishuRecordsTests {
    let records = FeishuRecords(users: FeishuSourceConfig(appID: "a", appSecret: "s").users,
        groups: FeishuSourceConfig(appID: "a", appSecret: "s").groups)

    func object(_ json: String) throws -> SCIMObject {
        guard case .object(let object) = try SCIMValue(json: Array(json.utf8)) else { throw FeishuSimFailed(reason: json) }
        return object
    }

    @Test func aUserBecomesAResource() throws {
        let user = try object(#"""
            {"user_id": "u7", "open_id": "ou_7", "name": "李雷\n", "email": "", "mobile": "+8613800000007",
             "job_title": "Engineer", "employee_no": "E7", "status": {"is_frozen": true, "is_resigned": false},
             "department_ids": ["d1"]}
            """#)
        let resource = try records.users.resource(from: FeishuRecords.row(user, fields: records.users))
        #expect(resource.id == "u7")
        #expect(resource.attributes["displayName"] == .string("李雷\n"))
        // Feishu's "" is no value: no userName, no e-mail element.
        #expect(resource.attributes["userName"] == nil && resource.attributes["emails"] == nil)
        #expect(resource.attributes["phoneNumbers"] == [["type": "work", "value": "+8613800000007"]])
        #expect(resource.attributes["active"] == .bool(false), "active is !status.is_frozen")
        #expect(resource.attributes["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]?.objectValue?["employeeNumber"]
            == .string("E7"))
    }

    @Test func fieldsAreReadInsideObjectsAndNegated() throws {
        let user = try object(#"{"status": {"is_frozen": false}, "employee_type": 1, "name": ""}"#)
        #expect(FeishuRecords.value(of: "status.is_frozen", in: user) == .bool(false))
        #expect(FeishuRecords.value(of: "!status.is_frozen", in: user) == .bool(true))
        #expect(FeishuRecords.value(of: "employee_type", in: user) == .int(1))
        #expect(FeishuRecords.value(of: "name", in: user) == .null)
        #expect(FeishuRecords.value(of: "status.missing", in: user) == .null)
        #expect(FeishuRecords.id(try object(#"{"user_id": "", "open_id": "ou_1"}"#), own: "user_id", open: "open_id") == "ou_1")
    }

    @Test func aReadLoadsGroupsThenParentsThenUsersThenMemberships() throws {
        let group = { (id: String, parent: String?) in
            DirectoryEntry(id: id, resource: SCIMResource(["id": .string(id), "displayName": .string(id)]), parentID: parent)
        }
        let reader = try ChatDirectoryReader(
            platform: "Feishu", users: [DirectoryEntry(id: "u1", resource: SCIMResource(["id": "u1"]))],
            groups: [group("child", "root"), group("root", nil)], memberships: [Membership(groupID: "child", userID: "u1")])
        let snapshot = ChatDirectorySnapshot(reader: reader, position: FullReadPosition.at("feishu", secondsSince1970: 5))
        let phases = try #require(try snapshot.loadPhases(chunkSize: 1))
        #expect(phases.map(\.name) == ["groups", "parents", "users", "memberships"])
        var ops: [[ResourceOp]] = []
        for phase in phases {
            ops += try phase.allChunks()
        }
        #expect(ops.count == 6)
        #expect(ops[2] == [.moveParent(groupID: "child", parentID: "root")])
        #expect(ops[3] == [.moveParent(groupID: "root", parentID: nil)])
        #expect(ops[5] == [.addMember(groupID: "child", userID: "u1")])
        // Later reads compare greater as text.
        #expect(FullReadPosition.hasReached(FullReadPosition.at("feishu", secondsSince1970: 10_000_000_000), snapshot.position))
        #expect(!FullReadPosition.hasReached(FullReadPosition.at("feishu", secondsSince1970: 4), snapshot.position))
    }
}
