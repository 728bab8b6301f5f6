import Testing

@testable import SCIM

/// The PATCH examples of RFC 7644 §3.5.2, applied to the example resources of RFC 7643 §8.
@Suite struct PatchRFCTests {
    // MARK: §3.5.2.1 add

    @Test func addMemberToGroup() throws {
        var group = try Fixtures.group()
        group.members = group.members.filter { $0.value == Fixtures.mandyID }
        let result = try Fixtures.patch(
            group,
            #"""
            { "schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
              "Operations":[
                {
                 "op":"add",
                 "path":"members",
                 "value":[
                  {
                    "display": "Babs Jensen",
                    "$ref": "https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646",
                    "value": "2819c223-7f76-453a-919d-413861904646"
                  }
                 ]
                }
              ]
            }
            """#)
        #expect(result.memberIDs == [Fixtures.mandyID, Fixtures.babsID])
        #expect(result["members"]?.arrayValue?[1] == Fixtures.member(Fixtures.babsID, "Babs Jensen"))
        #expect(result.displayName == "Tour Guides")
    }

    @Test func addExistingMemberChangesNothing() throws {
        let group = try Fixtures.group()
        let op = PatchOperation(
            op: .add, path: try AttributePath.parse("members"), value: [["value": .string(Fixtures.babsID)]])
        #expect(try group.applying([op]) == group)
    }

    @Test func addWithoutPath() throws {
        var user = try Fixtures.fullUser()
        user.emails = user.emails.filter { $0.type == "work" }
        user.nickName = nil
        let result = try Fixtures.patch(
            user,
            #"""
            { "schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
              "Operations":[{
                "op":"add",
                "value":{
                  "emails":[
                    {
                      "value":"babs@jensen.org",
                      "type":"home"
                    }
                  ],
                  "nickname":"Babs"
              }}]
            }
            """#)
        #expect(result.emails.map(\.value) == ["bjensen@example.com", "babs@jensen.org"])
        #expect(result.nickName == "Babs")
        #expect(result == (try Fixtures.fullUser()))
    }

    @Test func addPrimaryEmailClearsOtherPrimary() throws {
        let user = try Fixtures.fullUser()
        let result = try Fixtures.patch(
            user,
            #"""
            {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
             "Operations":[{"op":"add","path":"emails","value":[{"value":"babs@new.example","type":"other","primary":true}]}]}
            """#)
        #expect(result.emails.map(\.primary) == [false, false, true])
        #expect(result.primary(of: "emails")?.value == "babs@new.example")
    }

    @Test func addToSingleValuedReplacesAndToComplexMerges() throws {
        let user = try Fixtures.fullUser()
        let result = try user.applying([
            PatchOperation(op: .add, path: AttributePath(attribute: "title"), value: "Head Guide"),
            PatchOperation(op: .add, path: AttributePath(attribute: "name"), value: ["givenName": "Babs"]),
        ])
        #expect(result.title == "Head Guide")
        #expect(result.name?.givenName == "Babs")
        #expect(result.name?.familyName == "Jensen")
    }

    // MARK: §3.5.2.2 remove

    @Test func removeAllMembers() throws {
        let result = try Fixtures.patch(
            try Fixtures.group(),
            #"""
            { "schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
              "Operations":[{
                "op":"remove","path":"members"
              }]
            }
            """#)
        #expect(result["members"] == nil)
        #expect(result.displayName == "Tour Guides")
    }

    @Test func removeOneMember() throws {
        let result = try Fixtures.patch(
            try Fixtures.group(),
            #"""
            { "schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
              "Operations":[{
                "op":"remove",
                "path":"members[value eq \"2819c223-7f76-453a-919d-413861904646\"]"
              }]
            }
            """#)
        #expect(result.memberIDs == [Fixtures.mandyID])
    }

    @Test func removeMultipleMembers() throws {
        let result = try Fixtures.patch(
            try Fixtures.group(),
            #"""
            { "schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
              "Operations": [{
                "op":"remove",
                "path":"members[value eq \"2819c223-7f76-453a-919d-413861904646\"]"
              },
              {
                "op":"remove",
                "path":"members[value eq \"902c246b-6245-4190-8e05-00816be7344a\"]"
              }]
            }
            """#)
        // RFC 7644 §3.5.2.2: no values left, so the attribute is unassigned.
        #expect(result["members"] == nil)
    }

    @Test func removeAllMembersThenAdd() throws {
        let result = try Fixtures.patch(
            try Fixtures.group(),
            #"""
            { "schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
              "Operations": [
                {
                  "op":"remove",
                  "path":"members"
                },
                {
                  "op":"add",
                  "path":"members",
                  "value":[
                  {
                    "display": "Babs Jensen",
                    "$ref": "https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646",
                    "value": "2819c223-7f76-453a-919d-413861904646"
                  },
                  {
                    "display": "James Smith",
                    "$ref": "https://example.com/v2/Users/08e1d05d-121c-4561-8b96-473d93df9210",
                    "value": "08e1d05d-121c-4561-8b96-473d93df9210"
                  }]
                }
              ]
            }
            """#)
        #expect(
            result["members"]
                == .array([Fixtures.member(Fixtures.babsID, "Babs Jensen"), Fixtures.member(Fixtures.jamesID, "James Smith")]))
    }

    @Test func removeEmailsByComplexFilter() throws {
        let result = try Fixtures.patch(
            try Fixtures.fullUser(),
            #"""
            { "schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
              "Operations":[{
                "op":"remove",
                "path":"emails[type eq \"work\" and value ew \"example.com\"]"
              }]
            }
            """#)
        #expect(result.emails.map(\.value) == ["babs@jensen.org"])
    }

    @Test func removeSubAttributeOfMatchingElements() throws {
        let result = try Fixtures.patch(
            try Fixtures.fullUser(),
            #"""
            {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
             "Operations":[{"op":"remove","path":"addresses[type eq \"work\"].streetAddress"}]}
            """#)
        #expect(result.addresses[0]["streetAddress"] == nil)
        #expect(result.addresses[0]["locality"] == "Hollywood")
        #expect(result.addresses[1]["streetAddress"] == "456 Hollywood Blvd")
    }

    @Test func removeSubAttributeOfComplex() throws {
        let result = try Fixtures.fullUser().applying([
            PatchOperation(op: .remove, path: try AttributePath.parse("name.middleName"))
        ])
        #expect(result.name?.middleName == nil)
        #expect(result.name?.givenName == "Barbara")
    }

    @Test func removeWithoutPathIsNoTarget() throws {
        let user = try Fixtures.fullUser()
        #expect(throws: SCIMError(status: 400, scimType: .noTarget, detail: "Operations[0]: remove needs a \"path\"")) {
            try user.applying([PatchOperation(op: .remove)])
        }
    }

    @Test func removeOfAbsentTargetsSucceedsUnchanged() throws {
        let group = try Fixtures.group()
        let ops = [
            PatchOperation(op: .remove, path: try AttributePath.parse(#"members[value eq "nobody"]"#)),
            PatchOperation(op: .remove, path: try AttributePath.parse("externalId")),
        ]
        #expect(try group.applying(ops) == group)
    }

    @Test func removeOfReadOnlyAttributeIsMutability() throws {
        let user = try Fixtures.fullUser()
        let error = try #require(throws: SCIMError.self) {
            try user.applying([PatchOperation(op: .remove, path: try AttributePath.parse("groups"))])
        }
        #expect(error.scimType == .mutability)
        #expect(error.status == 400)
    }

    // MARK: §3.5.2.3 replace

    @Test func replaceAllMembers() throws {
        let result = try Fixtures.patch(
            try Fixtures.group(),
            #"""
            { "schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
              "Operations": [{
                "op":"replace",
                "path":"members",
                "value":[
                  {
                    "display": "Babs Jensen",
                    "$ref": "https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646",
                    "value": "2819c223-7f76-453a-919d-413861904646"
                  },
                  {
                    "display": "James Smith",
                    "$ref": "https://example.com/v2/Users/08e1d05d-121c-4561-8b96-473d93df9210",
                    "value": "08e1d05d-121c-4561-8b96-473d93df9210"
                  }
                ]
              }]
            }
            """#)
        #expect(result.memberIDs == [Fixtures.babsID, Fixtures.jamesID])
        #expect(result.members[1].display == "James Smith")
    }

    @Test func replaceWorkAddress() throws {
        let result = try Fixtures.patch(
            try Fixtures.fullUser(),
            #"""
            { "schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
              "Operations": [{
                "op":"replace",
                "path":"addresses[type eq \"work\"]",
                "value":
                {
                  "type": "work",
                  "streetAddress": "911 Universal City Plaza",
                  "locality": "Hollywood",
                  "region": "CA",
                  "postalCode": "91608",
                  "country": "US",
                  "formatted": "911 Universal City Plaza\nHollywood, CA 91608 US",
                  "primary": true
                }
              }]
            }
            """#)
        #expect(result.addresses.count == 2)
        #expect(result.addresses[0]["streetAddress"] == "911 Universal City Plaza")
        #expect(result.addresses[0]["country"] == "US")
        #expect(result.addresses[1] == (try Fixtures.fullUser()).addresses[1])
    }

    @Test func replaceStreetAddressOfWorkAddress() throws {
        let result = try Fixtures.patch(
            try Fixtures.fullUser(),
            #"""
            { "schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
              "Operations": [{
                "op":"replace",
                "path":"addresses[type eq \"work\"].streetAddress",
                "value":"1010 Broadway Ave"
              }]
            }
            """#)
        #expect(result.addresses[0]["streetAddress"] == "1010 Broadway Ave")
        #expect(result.addresses[0]["locality"] == "Hollywood")
        #expect(result.addresses[1]["streetAddress"] == "456 Hollywood Blvd")
    }

    @Test func replaceWorkEmail() throws {
        let result = try Fixtures.patch(
            try Fixtures.fullUser(),
            #"""
            {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
             "Operations":[{"op":"replace","path":"emails[type eq \"work\"]",
                            "value":{"value":"barbara@example.com","type":"work","primary":true}}]}
            """#)
        #expect(result["emails"] == [["value": "barbara@example.com", "type": "work", "primary": true], ["value": "babs@jensen.org", "type": "home"]])
    }

    @Test func replaceWorkEmailValue() throws {
        let result = try Fixtures.patch(
            try Fixtures.fullUser(),
            #"""
            {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
             "Operations":[{"op":"replace","path":"emails[type eq \"work\"].value","value":"barbara@example.com"}]}
            """#)
        #expect(result["emails"] == [["value": "barbara@example.com", "type": "work", "primary": true], ["value": "babs@jensen.org", "type": "home"]])
    }

    @Test func replaceWithoutPath() throws {
        var user = try Fixtures.fullUser()
        user.emails = []
        user.nickName = "Barb"
        let result = try Fixtures.patch(
            user,
            #"""
            { "schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
              "Operations": [{
                "op":"replace",
                "value":{
                  "emails":[
                    {
                      "value":"bjensen@example.com",
                      "type":"work",
                      "primary":true
                    },
                    {
                      "value":"babs@jensen.org",
                      "type":"home"
                    }
                  ],
                  "nickname":"Babs"
              }}]
            }
            """#)
        #expect(result == (try Fixtures.fullUser()))
    }

    @Test func replaceWithUnmatchedFilterIsNoTarget() throws {
        let user = try Fixtures.fullUser()
        let error = try #require(throws: SCIMError.self) {
            try Fixtures.patch(
                user,
                #"""
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                 "Operations":[{"op":"replace","path":"title","value":"x"},
                               {"op":"replace","path":"emails[value ew \"@other.example\"].value","value":"x@example.com"}]}
                """#)
        }
        #expect(error == SCIMError(status: 400, scimType: .noTarget, detail: "Operations[1]: \"emails\": the filter matches no element"))
        #expect(user.title == "Tour Guide")
    }

    @Test func replaceOnMissingAttributeAddsIt() throws {
        var user = try Fixtures.fullUser()
        user.nickName = nil
        user.name = nil
        let result = try user.applying([
            PatchOperation(op: .replace, path: AttributePath(attribute: "nickName"), value: "Babs"),
            PatchOperation(op: .replace, path: try AttributePath.parse("name.givenName"), value: "Barbara"),
        ])
        #expect(result.nickName == "Babs")
        #expect(result["name"] == ["givenName": "Barbara"])
    }

    @Test func replaceOfComplexKeepsUnnamedSubAttributes() throws {
        let result = try Fixtures.fullUser().applying([
            PatchOperation(op: .replace, path: AttributePath(attribute: "name"), value: ["givenName": "Babs", "middleName": nil])
        ])
        #expect(result.name?.givenName == "Babs")
        #expect(result.name?.familyName == "Jensen")
        #expect(result.name?.middleName == nil)
    }

    @Test func failedOperationLeavesResourceUnchanged() throws {
        var user = try Fixtures.fullUser()
        let before = user
        let ops = [
            PatchOperation(op: .replace, path: AttributePath(attribute: "title"), value: "Changed"),
            PatchOperation(op: .remove),
        ]
        #expect(throws: SCIMError.self) { try user.apply(ops) }
        #expect(user == before)
    }

    // MARK: extension attributes

    @Test func extensionAttributesByURNPath() throws {
        let user = try Fixtures.enterpriseUser()
        let result = try Fixtures.patch(
            user,
            #"""
            {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
             "Operations":[
               {"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"Park Ops"},
               {"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value","value":"m-2"},
               {"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter"}]}
            """#)
        let ext = try #require(result.enterpriseUser)
        #expect(ext.department == "Park Ops")
        #expect(ext.manager?.value == "m-2")
        #expect(ext.manager?.displayName == "John Smith")
        #expect(ext.costCenter == nil)
        #expect(ext.employeeNumber == "701984")
    }

    @Test func emptyingAnExtensionUnlistsIt() throws {
        var user = try Fixtures.fullUser()
        user.enterpriseUser = EnterpriseUser(["department": "X"])
        #expect(user.schemas == [SchemaURN.user, SchemaURN.enterpriseUser])
        let result = try user.applying([
            PatchOperation(op: .remove, path: try AttributePath.parse("\(SchemaURN.enterpriseUser):department"))
        ])
        #expect(result[SchemaURN.enterpriseUser] == nil)
        #expect(result.schemas == [SchemaURN.user])
        let back = try result.applying([
            PatchOperation(op: .add, path: try AttributePath.parse("\(SchemaURN.enterpriseUser):department"), value: "X")
        ])
        #expect(back == user)
    }

    @Test func coreSchemaPrefixNamesTopLevelAttribute() throws {
        let result = try Fixtures.fullUser().applying([
            PatchOperation(op: .replace, path: try AttributePath.parse("\(SchemaURN.user):displayName"), value: "B. Jensen")
        ])
        #expect(result.displayName == "B. Jensen")
        #expect(result[SchemaURN.user] == nil)
    }
}
