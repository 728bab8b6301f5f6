import Testing

@testable import SCIM

@Suite struct PatchRequestTests {
    private func decodeError(_ body: String) -> SCIMError? {
        do {
            _ = try PatchRequest(json: Array(body.utf8))
            return nil
        } catch {
            return error
        }
    }

    private let prefix = #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":"#

    @Test func malformedBodies() {
        #expect(decodeError("[]") == .invalidSyntax("PATCH body is not a JSON object"))
        #expect(decodeError(#"{"Operations":[]}"#)?.scimType == .invalidSyntax)
        #expect(
            decodeError(#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}"#)
                == .invalidSyntax("PATCH body must have an \"Operations\" array"))
        #expect(decodeError(prefix + "[]}")?.detail == "PATCH \"Operations\" is empty; send at least one operation")
        #expect(
            decodeError(prefix + #"[{"op":"add","path":"a","value":1},{"op":"merge","path":"a"}]}"#)
                == .invalidSyntax("Operations[1]: unknown op; use \"add\", \"remove\" or \"replace\""))
        #expect(decodeError(prefix + #"[{"path":"a"}]}"#)?.detail == "Operations[0] has no \"op\" string; use \"add\", \"remove\" or \"replace\"")
        #expect(decodeError(prefix + "[1]}") == .invalidSyntax("Operations[0] is not a JSON object"))
    }

    @Test func invalidJSONNamesTheOffset() {
        let error = decodeError(#"{"schemas": ["#)
        #expect(error?.scimType == .invalidSyntax)
        #expect(error?.detail == "PATCH body is not valid JSON: invalid JSON at byte 13: input ended, expected a JSON value")
    }

    @Test func invalidPaths() {
        let error = decodeError(prefix + #"[{"op":"remove","path":"members[value eq"}]}"#)
        #expect(error?.status == 400)
        #expect(error?.scimType == .invalidPath)
        #expect(error?.detail?.hasPrefix("Operations[0]: \"path\" is not a valid attribute path: ") == true)
        #expect(decodeError(prefix + #"[{"op":"remove","path":7}]}"#) == .invalidPath("Operations[0]: \"path\" must be a string"))
        #expect(
            decodeError(prefix + #"[{"op":"replace","value":{"emails[type eq \"work\"].value":"x"}}]}"#)?.scimType
                == .invalidPath)
    }

    @Test func invalidValues() {
        #expect(
            decodeError(prefix + #"[{"op":"add","path":"title"}]}"#)
                == .invalidValue("Operations[0]: \"add\" needs a \"value\" (RFC 7644 §3.5.2.1, §3.5.2.3)"))
        #expect(
            decodeError(prefix + #"[{"op":"replace","path":"active","value":"maybe"}]}"#)
                == .invalidValue("Operations[0]: \"active\" is a boolean; send true or false"))
        #expect(
            decodeError(prefix + #"[{"op":"replace","value":"x"}]}"#)
                == .invalidValue("Operations[0]: without \"path\", \"value\" must be an object of attributes"))
    }

    @Test func encodesToTheRFCShape() throws {
        let request = PatchRequest(operations: [
            PatchOperation(op: .add, path: AttributePath(attribute: "members"), value: [["value": "a"]]),
            PatchOperation(
                op: .remove,
                path: AttributePath(attribute: "members", valueFilter: .compare(AttributePath(attribute: "value"), .eq, "b"))),
            PatchOperation(op: .replace, value: ["active": false]),
        ])
        #expect(
            request.json.jsonString()
                == #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"a"}]},{"op":"remove","path":"members[value eq \"b\"]"},{"op":"replace","value":{"active":false}}]}"#
        )
        #expect(try PatchRequest(json: request.json) == request)
        #expect(try PatchRequest(json: request.json.jsonBytes()) == request)
    }

    @Test func groupSchemasDecodeGroupBodies() throws {
        let request = try PatchRequest(
            json: .object([
                "schemas": [.string(SchemaURN.patchOp)],
                "Operations": [["op": "Add", "path": "members", "value": [["value": "x", "$ref": nil]]]],
            ]),
            schemas: CoreSchemas.groupSchemas)
        #expect(request.operations[0].op == .add)
        #expect(request.operations[0].value == [["value": "x", "$ref": nil]])
    }
}
