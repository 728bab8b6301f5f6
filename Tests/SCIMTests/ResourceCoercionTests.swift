import Testing

@testable import SCIM

/// A POST or PUT body's values checked against their attributes' types (RFC 7643 §2.3), as a
/// PATCH's are: the shapes clients send are turned into the RFC's, and a value of another JSON
/// type is a 400 `invalidValue` that names the attribute.
@Suite struct ResourceCoercionTests {
    private func coerced(_ json: String) throws -> SCIMObject {
        let object = try #require(try SCIMValue(json: Array(json.utf8)).objectValue)
        return try object.coercedResource(schemas: CoreSchemas.userSchemas)
    }

    private func refusal(_ json: String) -> SCIMError? {
        do {
            _ = try coerced(json)
            return nil
        } catch let error as SCIMError {
            return error
        } catch {
            return nil
        }
    }

    @Test func valuesOfTheirAttributesTypesPassUnchanged() throws {
        let json = #"""
            {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ann","title":"Chief",
             "active":false,"name":{"givenName":"Ann"},"emails":[{"value":"a@example.com","primary":true}],
             "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"701"},
             "urn:example:unknown":{"anything":7}}
            """#
        let object = try coerced(json)
        let original = try #require(try SCIMValue(json: Array(json.utf8)).objectValue)
        #expect(SCIMValue.object(object) == SCIMValue.object(original))
    }

    @Test func theShapesClientsSendBecomeTheRFCs() throws {
        // Entra ID's booleans as text, and the enterprise manager as its id alone.
        let object = try coerced(
            #"""
            {"userName":"ann","active":"False","emails":[{"value":"a@example.com","primary":"True"}],
             "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":"m-1"}}
            """#)
        #expect(object["active"] == .bool(false))
        #expect(object["emails"]?.arrayValue?.first?.objectValue?["primary"] == .bool(true))
        let enterprise = object["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]?.objectValue
        #expect(enterprise?["manager"]?.objectValue?["value"] == .string("m-1"))
    }

    @Test(arguments: [
        (#"{"title":7}"#, #""title" is a string; send it as a JSON string"#),
        (#"{"title":true}"#, #""title" is a string; send it as a JSON string"#),
        (#"{"externalId":12.5}"#, #""externalId" is a string; send it as a JSON string"#),
        (#"{"name":{"givenName":5}}"#, #""name.givenName" is a string; send it as a JSON string"#),
        (#"{"emails":[{"value":true}]}"#, #""emails.value" is a string; send it as a JSON string"#),
        (#"{"active":"yes"}"#, #""active" is a boolean; send true or false"#),
        (#"{"active":1}"#, #""active" is a boolean; send true or false"#),
        (#"{"profileUrl":1}"#, #""profileUrl" is a reference; send the URI as a JSON string"#),
        (
            #"{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":701}}"#,
            #""urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber" is a string; send it as a JSON string"#
        ),
    ])
    func aValueOfAnotherTypeIsRefused(_ json: String, _ detail: String) {
        #expect(refusal(json) == .invalidValue("the body: " + detail))
    }
}
