import Testing

@testable import SCIM

@Suite struct ResourceTests {
    @Test func readsTheRFCUser() throws {
        let user = try Fixtures.enterpriseUser()
        #expect(user.id == Fixtures.babsID)
        #expect(user.externalId == "701984")
        #expect(user.userName == "bjensen@example.com")
        #expect(user.name == Name(
            formatted: "Ms. Barbara J Jensen, III", familyName: "Jensen", givenName: "Barbara", middleName: "Jane",
            honorificPrefix: "Ms.", honorificSuffix: "III"))
        #expect(user.displayName == "Babs Jensen")
        #expect(user.nickName == "Babs")
        #expect(user.title == "Tour Guide")
        #expect(user.userType == "Employee")
        #expect(user.preferredLanguage == "en-US")
        #expect(user.locale == "en-US")
        #expect(user.timezone == "America/Los_Angeles")
        #expect(user.active == true)
        #expect(user.emails == [
            MultiValuedAttribute(value: "bjensen@example.com", type: "work", primary: true),
            MultiValuedAttribute(value: "babs@jensen.org", type: "home"),
        ])
        #expect(user.phoneNumbers.map(\.type) == ["work", "mobile"])
        #expect(user.addresses[0]["postalCode"] == "91608")
        #expect(user.ims.first?.value == "someaimhandle")
        #expect(user.photos.count == 2)
        #expect(user.groups.first?.display == "Tour Guides")
        #expect(user.groups.first?.ref == "https://example.com/v2/Groups/e9e30dba-f08f-4109-8486-d5c6a331660a")
        let ext = try #require(user.enterpriseUser)
        #expect(ext.employeeNumber == "701984")
        #expect(ext.costCenter == "4130")
        #expect(ext.organization == "Universal Studios")
        #expect(ext.division == "Theme Park")
        #expect(ext.department == "Tour Operations")
        #expect(ext.manager == EnterpriseUser.Manager(
            value: "26118915-6090-4610-87e4-49d8ca9f808d", ref: "../Users/26118915-6090-4610-87e4-49d8ca9f808d",
            displayName: "John Smith"))
        #expect(user.meta == Meta(
            resourceType: "User", created: "2010-01-23T04:56:22Z", lastModified: "2011-05-13T04:42:34Z",
            location: "https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646", version: #"W/"a330bc54f0671c9""#))
    }

    @Test func primaryAndFirstValue() throws {
        let user = try Fixtures.fullUser()
        #expect(user.primary(of: "emails")?.value == "bjensen@example.com")
        #expect(user.primary(of: "phoneNumbers") == nil)
        #expect(user.firstValue(of: "emails", type: "home") == "babs@jensen.org")
        #expect(user.firstValue(of: "emails", type: "WORK") == "bjensen@example.com")
        #expect(user.firstValue(of: "emails", type: "other") == nil)
        #expect(user.firstValue(of: "phoneNumbers") == "555-555-5555")
        #expect(user.firstValue(of: "entitlements") == nil)
    }

    @Test func settersWriteTheJSONObject() throws {
        var user = SCIMResource()
        user.schemas = [SchemaURN.user]
        user.userName = "bjensen"
        user.name = Name(givenName: "Barbara")
        user.name?.familyName = "Jensen"
        user.active = false
        user.emails = [MultiValuedAttribute(value: "b@example.com", type: "work", primary: true)]
        user.emails[0].primary = false
        user.enterpriseUser = EnterpriseUser()
        user.enterpriseUser?.manager = EnterpriseUser.Manager(value: "m1")
        #expect(
            user.attributes.jsonString()
                == #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"userName":"bjensen","name":{"givenName":"Barbara","familyName":"Jensen"},"active":false,"emails":[{"value":"b@example.com","type":"work"}],"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"value":"m1"}}}"#
        )
        user.enterpriseUser = nil
        user.emails = []
        user.name = nil
        #expect(user.attributes.jsonString() == #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen","active":false}"#)
    }

    @Test func groupMembers() throws {
        var group = try Fixtures.group()
        #expect(group.memberIDs == [Fixtures.babsID, Fixtures.mandyID])
        #expect(group.members[1].display == "Mandy Pepperidge")
        group.members.append(MultiValuedAttribute(value: Fixtures.jamesID, type: "User", display: "James Smith"))
        #expect(group.memberIDs.last == Fixtures.jamesID)
        #expect(group.members.last?.type == "User")
        #expect(group.meta?.version == #"W/"3694e05e9dff592""#)
    }

    @Test func accessorsIgnoreAttributeNameCase() throws {
        let user = try Fixtures.resource(#"{"USERNAME":"x","Name":{"GIVENNAME":"y"},"Emails":[{"Value":"e","Primary":true}]}"#)
        #expect(user.userName == "x")
        #expect(user.name?.givenName == "y")
        #expect(user.primary(of: "emails")?.value == "e")
    }
}
