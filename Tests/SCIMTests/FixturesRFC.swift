import SCIM

/// Example resources of RFC 7643 §8 and helpers shared by the PATCH and diff tests.
enum Fixtures {
    static let babsID = "2819c223-7f76-453a-919d-413861904646"
    static let mandyID = "902c246b-6245-4190-8e05-00816be7344a"
    static let jamesID = "08e1d05d-121c-4561-8b96-473d93df9210"

    /// RFC 7643 §8.2, "Full User Representation" (password left out: it is writeOnly; the
    /// certificate shortened).
    static let fullUserJSON = #"""
        {
          "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
          "id": "2819c223-7f76-453a-919d-413861904646",
          "externalId": "701984",
          "userName": "bjensen@example.com",
          "name": {
            "formatted": "Ms. Barbara J Jensen, III",
            "familyName": "Jensen",
            "givenName": "Barbara",
            "middleName": "Jane",
            "honorificPrefix": "Ms.",
            "honorificSuffix": "III"
          },
          "displayName": "Babs Jensen",
          "nickName": "Babs",
          "profileUrl": "https://login.example.com/bjensen",
          "emails": [
            {"value": "bjensen@example.com", "type": "work", "primary": true},
            {"value": "babs@jensen.org", "type": "home"}
          ],
          "addresses": [
            {
              "type": "work",
              "streetAddress": "100 Universal City Plaza",
              "locality": "Hollywood",
              "region": "CA",
              "postalCode": "91608",
              "country": "USA",
              "formatted": "100 Universal City Plaza\nHollywood, CA 91608 USA",
              "primary": true
            },
            {
              "type": "home",
              "streetAddress": "456 Hollywood Blvd",
              "locality": "Hollywood",
              "region": "CA",
              "postalCode": "91608",
              "country": "USA",
              "formatted": "456 Hollywood Blvd\nHollywood, CA 91608 USA"
            }
          ],
          "phoneNumbers": [
            {"value": "555-555-5555", "type": "work"},
            {"value": "555-555-4444", "type": "mobile"}
          ],
          "ims": [{"value": "someaimhandle", "type": "aim"}],
          "photos": [
            {"value": "https://photos.example.com/profilephoto/72930000000Ccne/F", "type": "photo"},
            {"value": "https://photos.example.com/profilephoto/72930000000Ccne/T", "type": "thumbnail"}
          ],
          "userType": "Employee",
          "title": "Tour Guide",
          "preferredLanguage": "en-US",
          "locale": "en-US",
          "timezone": "America/Los_Angeles",
          "active": true,
          "groups": [
            {
              "value": "e9e30dba-f08f-4109-8486-d5c6a331660a",
              "$ref": "https://example.com/v2/Groups/e9e30dba-f08f-4109-8486-d5c6a331660a",
              "display": "Tour Guides"
            }
          ],
          "x509Certificates": [{"value": "MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAwTjELMAkGA1UEBhMCVVMx"}],
          "meta": {
            "resourceType": "User",
            "created": "2010-01-23T04:56:22Z",
            "lastModified": "2011-05-13T04:42:34Z",
            "version": "W\/\"a330bc54f0671c9\"",
            "location": "https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646"
          }
        }
        """#

    /// RFC 7643 §8.3, the enterprise extension part of "Enterprise User Extension Representation".
    static let enterpriseJSON = #"""
        {
          "employeeNumber": "701984",
          "costCenter": "4130",
          "organization": "Universal Studios",
          "division": "Theme Park",
          "department": "Tour Operations",
          "manager": {
            "value": "26118915-6090-4610-87e4-49d8ca9f808d",
            "$ref": "../Users/26118915-6090-4610-87e4-49d8ca9f808d",
            "displayName": "John Smith"
          }
        }
        """#

    /// RFC 7643 §8.4, "Group Representation".
    static let groupJSON = #"""
        {
          "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
          "id": "e9e30dba-f08f-4109-8486-d5c6a331660a",
          "displayName": "Tour Guides",
          "members": [
            {
              "value": "2819c223-7f76-453a-919d-413861904646",
              "$ref": "https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646",
              "display": "Babs Jensen"
            },
            {
              "value": "902c246b-6245-4190-8e05-00816be7344a",
              "$ref": "https://example.com/v2/Users/902c246b-6245-4190-8e05-00816be7344a",
              "display": "Mandy Pepperidge"
            }
          ],
          "meta": {
            "resourceType": "Group",
            "created": "2010-01-23T04:56:22Z",
            "lastModified": "2011-05-13T04:42:34Z",
            "version": "W\/\"3694e05e9dff592\"",
            "location": "https://example.com/v2/Groups/e9e30dba-f08f-4109-8486-d5c6a331660a"
          }
        }
        """#

    static func resource(_ json: String) throws -> SCIMResource {
        guard case .object(let o) = try SCIMValue(json: json) else { throw FixtureError.notAnObject }
        return SCIMResource(o)
    }

    static func fullUser() throws -> SCIMResource { try resource(fullUserJSON) }

    static func enterpriseUser() throws -> SCIMResource {
        var user = try fullUser()
        user.enterpriseUser = EnterpriseUser(try require(SCIMValue(json: enterpriseJSON).objectValue))
        return user
    }

    static func group() throws -> SCIMResource { try resource(groupJSON) }

    /// The member element RFC 7644 §3.5.2 uses for Babs, Mandy and James.
    static func member(_ id: String, _ display: String) -> SCIMValue {
        ["display": .string(display), "$ref": .string("https://example.com/v2/Users/\(id)"), "value": .string(id)]
    }

    /// Decodes a PATCH body and applies it.
    static func patch(_ resource: SCIMResource, _ body: String, schemas: [SchemaDefinition]? = nil) throws
        -> SCIMResource
    {
        let chosen = schemas ?? CoreSchemas.schemas(for: resource.attributes)
        let request = try PatchRequest(json: Array(body.utf8), schemas: chosen)
        return try resource.applying(request.operations, schemas: chosen)
    }

    enum FixtureError: Error { case notAnObject }
}

/// `#require` outside a test function: a throwing unwrap.
func require<T>(_ value: T?) throws -> T {
    guard let value else { throw Fixtures.FixtureError.notAnObject }
    return value
}
