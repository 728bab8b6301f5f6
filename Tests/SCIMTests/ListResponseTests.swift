import Testing

@testable import SCIM

@Suite struct ListResponseTests {
    @Test func writesRFC7644Section3_4_2Shape() throws {
        let response = ListResponse(
            totalResults: 2, startIndex: 1, itemsPerPage: 1,
            resources: [SCIMResource(["id": "2819c223", "userName": "bjensen"])])
        #expect(
            response.json.jsonString()
                == #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":2,"startIndex":1,"itemsPerPage":1,"Resources":[{"id":"2819c223","userName":"bjensen"}]}"#
        )
        #expect(try ListResponse(json: response.json) == response)
    }

    @Test func readsEntraStyleResponses() throws {
        let body = try SCIMValue(
            json: #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"Resources":[],"startIndex":1,"itemsPerPage":20}"#)
        #expect(try ListResponse(json: body) == ListResponse(totalResults: 0, startIndex: 1, itemsPerPage: 20, resources: []))
        let minimal = try SCIMValue(json: #"{"totalResults":0,"resources":null}"#)
        #expect(try ListResponse(json: minimal) == ListResponse(totalResults: 0, resources: []))
    }

    @Test func refusesMalformedResponses() throws {
        #expect(throws: SCIMError.invalidSyntax("ListResponse: 'totalResults' is missing")) {
            try ListResponse(json: ["Resources": []])
        }
        #expect(throws: SCIMError.invalidSyntax("ListResponse: 'startIndex' is negative")) {
            try ListResponse(json: ["totalResults": 1, "startIndex": -1])
        }
        #expect(throws: SCIMError.invalidSyntax("ListResponse: 'Resources'[1] is not a JSON object")) {
            try ListResponse(json: ["totalResults": 2, "Resources": [["id": "a"], "b"]])
        }
        #expect(throws: SCIMError.invalidSyntax("ListResponse: 'totalResults' is not a non-negative integer")) {
            try ListResponse(json: ["totalResults": "2"])
        }
    }
}
