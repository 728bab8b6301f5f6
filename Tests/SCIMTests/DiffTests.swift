import Testing

@testable import SCIM

@Suite struct DiffTests {
    private func printed(_ ops: [PatchOperation]) -> [String] {
        ops.map { $0.json.jsonString() }
    }

    @Test func identicalResourcesNeedNothing() throws {
        let user = try Fixtures.enterpriseUser()
        var other = user
        other.meta = Meta(resourceType: "User", version: "W/\"x\"")
        other.id = "different"
        other.schemas = other.schemas.reversed()
        #expect(patchOperations(from: user, to: other).isEmpty)
    }

    @Test func singleValuedAndComplexChanges() throws {
        let a = try Fixtures.fullUser()
        var b = a
        b.title = "Head Guide"
        b.nickName = nil
        b.name?.givenName = "Babs"
        b.name?.middleName = nil
        b.name?.object["suffix2"] = "x"
        b.active = false
        b["profileUrl"] = nil
        b["userType"] = nil
        b.externalId = "701985"
        b["costume"] = "Captain"
        #expect(
            printed(patchOperations(from: a, to: b)) == [
                #"{"op":"replace","path":"externalId","value":"701985"}"#,
                #"{"op":"replace","path":"name.givenName","value":"Babs"}"#,
                #"{"op":"remove","path":"name.middleName"}"#,
                #"{"op":"add","path":"name.suffix2","value":"x"}"#,
                #"{"op":"remove","path":"nickName"}"#,
                #"{"op":"remove","path":"profileUrl"}"#,
                #"{"op":"remove","path":"userType"}"#,
                #"{"op":"replace","path":"title","value":"Head Guide"}"#,
                #"{"op":"replace","path":"active","value":false}"#,
                #"{"op":"add","path":"costume","value":"Captain"}"#,
            ])
        #expect(try a.applying(patchOperations(from: a, to: b)) == b)
    }

    @Test func membersAddedAndRemovedByValue() throws {
        let a = try Fixtures.group()
        var b = a
        b.members = [
            MultiValuedAttribute(value: Fixtures.mandyID, display: "Mandy Pepperidge", ref: "https://example.com/v2/Users/\(Fixtures.mandyID)"),
            MultiValuedAttribute(value: Fixtures.jamesID, display: "James Smith"),
            MultiValuedAttribute(value: "u4"),
        ]
        #expect(
            printed(patchOperations(from: a, to: b)) == [
                #"{"op":"remove","path":"members[value eq \"2819c223-7f76-453a-919d-413861904646\"]"}"#,
                #"{"op":"add","path":"members","value":[{"value":"08e1d05d-121c-4561-8b96-473d93df9210","display":"James Smith"},{"value":"u4"}]}"#,
            ])
        #expect(try a.applying(patchOperations(from: a, to: b)) == b)
    }

    @Test func changedMemberLeavesAndRejoins() throws {
        let a = try Fixtures.group()
        var b = a
        b.members[0].display = "Barbara Jensen"
        let ops = patchOperations(from: a, to: b)
        #expect(ops.map(\.op) == [.remove, .add])
        #expect(ops[0].path?.description == #"members[value eq "2819c223-7f76-453a-919d-413861904646"]"#)
        let result = try a.applying(ops)
        #expect(Set(result.members) == Set(b.members))
    }

    @Test func memberOrderIsNotADifference() throws {
        let a = try Fixtures.group()
        var b = a
        b.members.reverse()
        #expect(patchOperations(from: a, to: b).isEmpty)
    }

    @Test func removingAllMembersRemovesTheAttribute() throws {
        let a = try Fixtures.group()
        var b = a
        b.members = []
        #expect(printed(patchOperations(from: a, to: b)) == [#"{"op":"remove","path":"members"}"#])
    }

    @Test func otherMultiValuedAttributesAreReplacedWhole() throws {
        let a = try Fixtures.fullUser()
        var b = a
        b.emails[1].value = "babs@jensen.example"
        let ops = patchOperations(from: a, to: b)
        #expect(ops == [PatchOperation(op: .replace, path: AttributePath(attribute: "emails"), value: b["emails"])])
        #expect(try a.applying(ops) == b)
    }

    @Test func extensionAttributesUseURNPaths() throws {
        let a = try Fixtures.enterpriseUser()
        var b = a
        b.enterpriseUser?.department = "Park Ops"
        b.enterpriseUser?.costCenter = nil
        b.enterpriseUser?.manager?.value = "m-2"
        #expect(
            printed(patchOperations(from: a, to: b)) == [
                #"{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter"}"#,
                #"{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"Park Ops"}"#,
                #"{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value","value":"m-2"}"#,
            ])
        #expect(try a.applying(patchOperations(from: a, to: b)) == b)
    }

    @Test func addingAndDroppingTheExtension() throws {
        let a = try Fixtures.fullUser()
        let b = try Fixtures.enterpriseUser()
        let add = patchOperations(from: a, to: b)
        #expect(add.count == 6)
        #expect(add.allSatisfy { $0.op == .add && $0.path?.schema == SchemaURN.enterpriseUser })
        #expect(try a.applying(add) == b)
        let drop = patchOperations(from: b, to: a)
        #expect(drop.count == 6)
        #expect(drop.allSatisfy { $0.op == .remove })
        #expect(try b.applying(drop) == a)
    }

    @Test func readOnlyAttributesAreIgnored() throws {
        let a = try Fixtures.fullUser()
        var b = a
        b.groups = []
        #expect(patchOperations(from: a, to: b).isEmpty)
    }

    @Test func attributeNamesCompareWithoutCase() throws {
        let a = try Fixtures.resource(#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"x","NAME":{"givenName":"a"}}"#)
        let b = try Fixtures.resource(#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"USERNAME":"x","name":{"GIVENNAME":"b"}}"#)
        #expect(printed(patchOperations(from: a, to: b)) == [#"{"op":"replace","path":"NAME.givenName","value":"b"}"#])
    }

    @Test func schemasChangeBeyondExtensions() throws {
        let a = try Fixtures.fullUser()
        var b = a
        b.schemas = [SchemaURN.user, "urn:example:custom"]
        #expect(
            patchOperations(from: a, to: b) == [
                PatchOperation(op: .replace, path: AttributePath(attribute: "schemas"), value: b["schemas"])
            ])
    }

    @Test func diffSurvivesTheWire() throws {
        let a = try Fixtures.enterpriseUser()
        var b = a
        b.enterpriseUser?.manager = nil
        b.name?.givenName = "Babs"
        b.emails = []
        let body = PatchRequest(operations: patchOperations(from: a, to: b)).json.jsonBytes()
        let decoded = try PatchRequest(json: body)
        #expect(try a.applying(decoded.operations) == b)
    }
}
