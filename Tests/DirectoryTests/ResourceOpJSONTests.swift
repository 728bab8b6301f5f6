import Directory
import SCIM
import Testing

@Suite struct ResourceOpJSONTests {
    @Test func everyKindOfOperationReadsBackUnchanged() throws {
        var object = SCIMObject()
        object["schemas"] = .array([.string(SchemaURN.user), .string(SchemaURN.enterpriseUser)])
        object["id"] = "u1"
        object["userName"] = "alice"
        object["name"] = .object(["givenName": "Ålicia 李", "familyName": "L"])
        object["emails"] = .array([.object(["type": "work", "value": "a@example.com", "primary": .bool(true)])])
        object[SchemaURN.enterpriseUser] = .object(["employeeNumber": "7"])
        let ops: [ResourceOp] = [
            .create(.user, SCIMResource(object)),
            .create(.group, SCIMResource(["id": "g1", "displayName": "R&D"])),
            .patch(.user, id: "u1", [
                PatchOperation(
                    op: .replace, path: try AttributePath.parse(#"emails[type eq "work"].value"#), value: "b@example.com"),
                PatchOperation(op: .remove, path: try AttributePath.parse("title")),
                PatchOperation(op: .add, value: .object(["nickName": "al"])),
            ]),
            .delete(.group, id: "g1"),
            .deactivate(userID: "u1"),
            .reactivate(userID: "u1"),
            .addMember(groupID: "g1", userID: "u1"),
            .removeMember(groupID: "g1", userID: "u1"),
            .moveParent(groupID: "g2", parentID: "g1"),
            .moveParent(groupID: "g2", parentID: nil),
        ]
        for op in ops {
            let text = op.json.jsonString()
            #expect(try ResourceOp(json: try SCIMValue(json: text)) == op, "\(text)")
        }
    }

    @Test func malformedJSONNamesTheMember() throws {
        #expect(throws: ResourceOpJSONError.member("userID")) {
            try ResourceOp(json: ["op": "addMember", "groupID": "g1"])
        }
        #expect(throws: ResourceOpJSONError.member("op")) { try ResourceOp(json: ["op": "explode"]) }
        #expect(throws: ResourceOpJSONError.notAnObject) { try ResourceOp(json: "text") }
    }
}
