import Testing

@testable import SCIM

/// Request bodies Microsoft Entra ID sends, from Microsoft Learn: "Tutorial: Develop and plan
/// provisioning for a SCIM endpoint" and "Known issues and resolutions with SCIM 2.0 protocol
/// compliance of the Microsoft Entra user provisioning service" (with and without the
/// `aadOptscim062020` flag).
@Suite struct PatchEntraTests {
    @Test func disableUserWithStringBoolean() throws {
        let body = #"""
            {
                "schemas": [
                    "urn:ietf:params:scim:api:messages:2.0:PatchOp"
                ],
                "Operations": [
                    {
                        "op": "Replace",
                        "path": "active",
                        "value": "False"
                    }
                ]
            }
            """#
        let request = try PatchRequest(json: Array(body.utf8))
        #expect(request.operations == [PatchOperation(op: .replace, path: AttributePath(attribute: "active"), value: false)])
        let result = try Fixtures.patch(try Fixtures.fullUser(), body)
        #expect(result.active == false)
        #expect(result["active"] == .bool(false))
    }

    @Test func disableUserCompliant() throws {
        let result = try Fixtures.patch(
            try Fixtures.fullUser(),
            #"""
            {
                "Operations": [
                    {
                        "op": "Replace",
                        "path": "active",
                        "value": false
                    }
                ],
                "schemas": [
                    "urn:ietf:params:scim:api:messages:2.0:PatchOp"
                ]
            }
            """#)
        #expect(result.active == false)
    }

    @Test func stringAttributeKeepsTrueAsString() throws {
        let request = try PatchRequest(
            json: #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"title","value":"True"}]}"#
                .utf8)
        #expect(request.operations[0].value == "True")
    }

    @Test func addSingleValueString() throws {
        var user = try Fixtures.fullUser()
        user.nickName = nil
        let result = try Fixtures.patch(
            user,
            #"""
            {
                "schemas": [
                    "urn:ietf:params:scim:api:messages:2.0:PatchOp"
                ],
                "Operations": [
                  {
                    "op": "Add",
                    "path": "nickName",
                    "value": "Babs"
                  }
                ]
            }
            """#)
        #expect(result.nickName == "Babs")
    }

    @Test func updateMultiValuedProperties() throws {
        let result = try Fixtures.patch(
            try Fixtures.fullUser(),
            #"""
            {
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [
                    {
                    "op": "Replace",
                    "path": "emails[type eq \"work\"].value",
                    "value": "updatedEmail@microsoft.com"
                    },
                    {
                    "op": "Replace",
                    "path": "name.familyName",
                    "value": "updatedFamilyName"
                    }
                ]
            }
            """#)
        #expect(result.firstValue(of: "emails", type: "work") == "updatedEmail@microsoft.com")
        #expect(result.name?.familyName == "updatedFamilyName")
        #expect(result.name?.givenName == "Barbara")
    }

    @Test func replaceMultipleAttributesWithoutFlag() throws {
        let result = try Fixtures.patch(
            try Fixtures.enterpriseUser(),
            #"""
            {
                "schemas": [
                    "urn:ietf:params:scim:api:messages:2.0:PatchOp"
                ],
                "Operations": [
                    {
                        "op": "Replace",
                        "path": "displayName",
                        "value": "Pvlo"
                    },
                    {
                        "op": "Replace",
                        "path": "emails[type eq \"work\"].value",
                        "value": "TestBcwqnm@test.microsoft.com"
                    },
                    {
                        "op": "Replace",
                        "path": "name.givenName",
                        "value": "Gtfd"
                    },
                    {
                        "op": "Replace",
                        "path": "name.familyName",
                        "value": "Pkqf"
                    },
                    {
                        "op": "Replace",
                        "path": "externalId",
                        "value": "Eqpj"
                    },
                    {
                        "op": "Replace",
                        "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
                        "value": "Eqpj"
                    }
                ]
            }
            """#)
        #expect(result.displayName == "Pvlo")
        #expect(result.firstValue(of: "emails", type: "work") == "TestBcwqnm@test.microsoft.com")
        #expect(result.name?.givenName == "Gtfd")
        #expect(result.name?.familyName == "Pkqf")
        #expect(result.externalId == "Eqpj")
        #expect(result.enterpriseUser?.employeeNumber == "Eqpj")
        #expect(result.enterpriseUser?.department == "Tour Operations")
    }

    @Test func pathlessReplaceWithDottedAndURNKeys() throws {
        let body = #"""
            {
                "schemas": [
                    "urn:ietf:params:scim:api:messages:2.0:PatchOp"
                ],
                "Operations": [
                    {
                        "op": "replace",
                        "path": "emails[type eq \"work\"].value",
                        "value": "TestMhvaes@test.microsoft.com"
                    },
                    {
                        "op": "replace",
                        "value": {
                            "displayName": "Bjfe",
                            "name.givenName": "Kkom",
                            "name.familyName": "Unua",
                            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": "Aklq"
                        }
                    }
                ]
            }
            """#
        let request = try PatchRequest(json: Array(body.utf8))
        #expect(
            request.operations[1].value == [
                "displayName": "Bjfe",
                "name": ["givenName": "Kkom", "familyName": "Unua"],
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": ["employeeNumber": "Aklq"],
            ])
        let user = try Fixtures.fullUser()
        let result = try Fixtures.patch(user, body)
        #expect(result.firstValue(of: "emails", type: "work") == "TestMhvaes@test.microsoft.com")
        #expect(result.displayName == "Bjfe")
        #expect(result.name?.givenName == "Kkom")
        #expect(result.name?.familyName == "Unua")
        #expect(result.name?.middleName == "Jane")
        #expect(result.enterpriseUser?.employeeNumber == "Aklq")
        // The extension was created, so its URN is now listed.
        #expect(result.schemas == [SchemaURN.user, SchemaURN.enterpriseUser])
    }

    @Test func pathlessReplaceDepartmentByURNKey() throws {
        let result = try Fixtures.patch(
            try Fixtures.enterpriseUser(),
            #"""
            {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
             "Operations":[{"op":"Replace","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department":"X",
                                                    "active":"True"}}]}
            """#)
        #expect(result.enterpriseUser?.department == "X")
        #expect(result.enterpriseUser?.costCenter == "4130")
        #expect(result.active == true)
    }

    @Test func managerAsPlainString() throws {
        let body = #"""
            {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
             "Operations":[{"op":"Add",
                            "path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
                            "value":"2819c223-7f76-453a-919d-413861904646"}]}
            """#
        let request = try PatchRequest(json: Array(body.utf8))
        #expect(request.operations[0].value == ["value": "2819c223-7f76-453a-919d-413861904646"])
        let result = try Fixtures.patch(try Fixtures.fullUser(), body)
        #expect(result.enterpriseUser?.manager?.value == Fixtures.babsID)
        #expect(result.schemas == [SchemaURN.user, SchemaURN.enterpriseUser])

        // On a user that has a manager, the id changes and the rest of the object stays.
        let changed = try Fixtures.patch(try Fixtures.enterpriseUser(), body)
        #expect(changed.enterpriseUser?.manager?.value == Fixtures.babsID)
        #expect(changed.enterpriseUser?.manager?.displayName == "John Smith")
    }

    @Test func managerAsObject() throws {
        let result = try Fixtures.patch(
            try Fixtures.fullUser(),
            #"""
            {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
             "Operations":[{"op":"replace",
                            "path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
                            "value":{"value":"26118915-6090-4610-87e4-49d8ca9f808d"}}]}
            """#)
        #expect(result.enterpriseUser?.manager == EnterpriseUser.Manager(value: "26118915-6090-4610-87e4-49d8ca9f808d"))
    }

    @Test func removeMemberCompliant() throws {
        var group = try Fixtures.group()
        group.members = [MultiValuedAttribute(value: "7f4bc1a3-285e-48ae-8202-5accb43efb0e"), MultiValuedAttribute(value: "u1091")]
        let result = try Fixtures.patch(
            group,
            #"""
            {
                "schemas": [
                    "urn:ietf:params:scim:api:messages:2.0:PatchOp"
                ],
                "Operations": [
                    {
                        "op": "remove",
                        "path": "members[value eq \"7f4bc1a3-285e-48ae-8202-5accb43efb0e\"]"
                    }
                ]
            }
            """#)
        #expect(result.memberIDs == ["u1091"])
    }

    @Test func removeMemberWithValueList() throws {
        var group = try Fixtures.group()
        group.members = [MultiValuedAttribute(value: "7f4bc1a3-285e-48ae-8202-5accb43efb0e"), MultiValuedAttribute(value: "u1091")]
        let result = try Fixtures.patch(
            group,
            #"""
            {
                "schemas": [
                    "urn:ietf:params:scim:api:messages:2.0:PatchOp"
                ],
                "Operations": [
                    {
                        "op": "Remove",
                        "path": "members",
                        "value": [
                            {
                                "value": "u1091"
                            }
                        ]
                    }
                ]
            }
            """#)
        #expect(result.memberIDs == ["7f4bc1a3-285e-48ae-8202-5accb43efb0e"])
    }

    @Test func groupAddAndRemoveMembersWithNullRef() throws {
        var group = try Fixtures.group()
        group.members = []
        let added = try Fixtures.patch(
            group,
            #"""
            {
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{
                    "op": "Add",
                    "path": "members",
                    "value": [{
                        "$ref": null,
                        "value": "f648f8d5ea4e4cd38e9c"
                    }]
                }]
            }
            """#)
        #expect(added["members"] == [["value": "f648f8d5ea4e4cd38e9c"]])
        let removed = try Fixtures.patch(
            added,
            #"""
            {
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{
                    "op": "Remove",
                    "path": "members",
                    "value": [{
                        "$ref": null,
                        "value": "f648f8d5ea4e4cd38e9c"
                    }]
                }]
            }
            """#)
        #expect(removed["members"] == nil)
    }

    @Test func updateGroupDisplayName() throws {
        let result = try Fixtures.patch(
            try Fixtures.group(),
            #"""
            {
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{
                    "op": "Replace",
                    "path": "displayName",
                    "value": "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName"
                }]
            }
            """#)
        #expect(result.displayName == "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName")
        #expect(result.memberIDs == [Fixtures.babsID, Fixtures.mandyID])
    }

    @Test func addFilteredValueCreatesTheElement() throws {
        var user = try Fixtures.fullUser()
        user.emails = []
        let result = try Fixtures.patch(
            user,
            #"""
            {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
             "Operations":[{"op":"Add","path":"emails[type eq \"work\"].value","value":"babs@example.com"},
                           {"op":"Add","path":"emails[type eq \"work\"].primary","value":"True"}]}
            """#)
        #expect(result["emails"] == [["type": "work", "value": "babs@example.com", "primary": true]])
    }

    @Test func lowercaseOperationsKey() throws {
        let request = try PatchRequest(
            json: #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"operations":[{"op":"REMOVE","path":"nickName"}]}"#
                .utf8)
        #expect(request.operations == [PatchOperation(op: .remove, path: AttributePath(attribute: "nickName"))])
    }

    /// Entra's attribute mapping for a work e-mail on a user that has none: a Replace with a
    /// filter of eq terms adds the element it describes.
    @Test func replaceOfAMissingWorkEmailAddsIt() throws {
        let body = #"""
            {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
             "Operations":[{"op":"Replace","path":"emails[type eq \"work\"].value","value":"ann@example.com"}]}
            """#
        var user = try Fixtures.fullUser()
        user.attributes["emails"] = nil
        let result = try Fixtures.patch(user, body)
        #expect(result["emails"] == .array([.object(["type": "work", "value": "ann@example.com"])]))
        // With a work address present, the same request replaces it.
        let again = try Fixtures.patch(result, body.replacingOccurrences(of: "ann@example.com", with: "ann@corp.example"))
        #expect(again["emails"] == .array([.object(["type": "work", "value": "ann@corp.example"])]))
    }
}
