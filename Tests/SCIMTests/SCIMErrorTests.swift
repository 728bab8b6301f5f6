import Testing

@testable import SCIM

@Suite struct SCIMErrorTests {
    @Test func jsonShapeOfRFC7644Section3_12() {
        let error = SCIMError(status: 400, scimType: .mutability, detail: "Attribute 'id' is readOnly")
        #expect(
            error.json.jsonString()
                == #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"scimType":"mutability","detail":"Attribute 'id' is readOnly","status":"400"}"#
        )
        let notFound = SCIMError(status: 404, detail: "Resource 2819c223 not found")
        #expect(
            notFound.json == [
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "detail": "Resource 2819c223 not found",
                "status": "404",
            ])
    }

    @Test func descriptionIsGenericAndDetailOnlyWhenReflected() {
        let error = SCIMError.invalidValue("Operations[0]: bjensen@example.com is taken")
        #expect(error.description == "SCIM error 400 invalidValue")
        #expect(String(describing: error) == "SCIM error 400 invalidValue")
        #expect(String(reflecting: error) == "SCIM error 400 invalidValue: Operations[0]: bjensen@example.com is taken")
        #expect(SCIMError(status: 500).description == "SCIM error 500")
    }

    @Test func readsErrorBodies() throws {
        let body = try SCIMValue(json: #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"scimType":"uniqueness","detail":"taken","status":"409"}"#)
        #expect(SCIMError(json: body) == SCIMError(status: 409, scimType: .uniqueness, detail: "taken"))
        // Some providers send the status as a number, or a scimType outside the RFC's list.
        let lax = try SCIMValue(json: #"{"status":400,"scimType":"somethingElse"}"#)
        #expect(SCIMError(json: lax) == SCIMError(status: 400))
        #expect(SCIMError(json: ["status": "abc"]) == nil)
        #expect(SCIMError(json: "x") == nil)
    }

    @Test func statusesOfTable9() {
        #expect(SCIMError.uniqueness("taken").status == 409)
        #expect(SCIMError.noTarget("x") == SCIMError(status: 400, scimType: .noTarget, detail: "x"))
        #expect(SCIMError.invalidFilter("x").status == 400)
    }

    @Test func everyScimTypeRoundTrips() {
        // RFC 7644 §3.12's ten and RFC 9865's three.
        #expect(SCIMError.ScimType.allCases.count == 13)
        #expect(SCIMError.ScimType(rawValue: "invalidCursor") == .invalidCursor)
        for type in SCIMError.ScimType.allCases {
            let error = SCIMError(status: 400, scimType: type, detail: "d")
            #expect(SCIMError(json: error.json) == error)
        }
    }
}
