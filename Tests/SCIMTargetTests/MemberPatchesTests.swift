import Directory
import SCIM
import SCIMTarget
import Testing

/// Member changes split into PATCH requests: never more than the limit per request, removals
/// by value filter (never a bare `members` remove, which empties the group).
@Suite struct MemberPatchesTests {
    @Test func requestsHoldAtMostTheLimit() {
        let adding = (1...150).map { "a\($0)" }
        let removing = (1...70).map { "r\($0)" }
        let requests = MemberPatches.requests(adding: adding, removing: removing, limit: 100)
        #expect(requests.count == 3)
        var added: [String] = []
        var removed: [String] = []
        for request in requests {
            var count = 0
            for operation in request {
                switch operation.op {
                case .add:
                    let values = operation.value?.arrayValue?.compactMap { $0.objectValue?["value"]?.stringValue } ?? []
                    #expect(operation.path?.description == "members")
                    added += values
                    count += values.count
                case .remove:
                    let path = operation.path?.description ?? ""
                    #expect(path.hasPrefix("members[value eq "))
                    let ids = path.split(separator: "\"").enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
                    removed += ids
                    count += ids.count
                case .replace:
                    Issue.record("no replace expected")
                }
            }
            #expect(count <= 100)
        }
        #expect(added == adding)
        #expect(removed == removing)
    }

    @Test func removalsComeBeforeAdditions() {
        let request = MemberPatches.requests(adding: ["x"], removing: ["y"], limit: 100)
        #expect(request.count == 1)
        #expect(request.first?.map(\.op) == [.remove, .add])
        #expect(request.first?.first?.path?.description == #"members[value eq "y"]"#)
    }

    @Test func noChangesNoRequests() {
        #expect(MemberPatches.requests(adding: [], removing: [], limit: 100).isEmpty)
    }

    @Test func idsWithQuotesAreEscapedInTheFilter() throws {
        let request = MemberPatches.requests(adding: [], removing: [#"we"ird"#], limit: 1)
        let path = try #require(request.first?.first?.path)
        #expect(try AttributePath.parse(path.description) == path)
    }
}

/// What a create may overwrite on a resource the provider already holds.
@Suite struct ManagedAttributesTests {
    @Test func onlyTheLayoutsAttributesAreKept() throws {
        let managed = ManagedAttributes(layout: SCIMTargetFixture.layout)
        let current: SCIMObject = [
            "schemas": [.string(SchemaURN.user), .string(SchemaURN.enterpriseUser)], "id": "p1", "externalId": "1",
            "userName": "bjensen", "nickName": "Babs", "name": ["givenName": "Barbara"], "groups": [["value": "g"]],
            "meta": ["resourceType": "User"],
            .init(SchemaURN.enterpriseUser): ["manager": ["value": "m"]],
        ]
        let projected = managed.project(current, kind: .user)
        #expect(Set(projected.keys) == ["schemas", "externalId", "userName", "name"])
        let group = managed.project(["displayName": "Eng", "members": [["value": "u"]], "externalId": "10"], kind: .group)
        #expect(Set(group.keys) == ["displayName", "externalId"])
    }
}
