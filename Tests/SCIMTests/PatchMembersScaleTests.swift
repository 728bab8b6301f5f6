import Testing

@testable import SCIM

/// Group membership changes on a large group: one member per operation, as Entra ID sends
/// them, must stay linear in the group's size.
@Suite struct PatchMembersScaleTests {
    private func group(members count: Int) -> SCIMResource {
        var group = SCIMResource(["schemas": [.string(SchemaURN.group)], "displayName": "All staff"])
        group["members"] = .array((0..<count).map { ["value": .string("user-\($0)"), "type": "User"] })
        return group
    }

    @Test func thousandsOfSingleMemberOperationsOnTenThousandMembers() throws {
        let start = group(members: 10_000)
        var ops: [PatchOperation] = []
        for i in stride(from: 0, to: 10_000, by: 2) {
            ops.append(
                PatchOperation(
                    op: .remove,
                    path: try AttributePath.parse(#"members[value eq "USER-\#(i)"]"#)))
        }
        for i in 10_000..<15_000 {
            ops.append(PatchOperation(op: .add, path: AttributePath(attribute: "members"), value: [["value": .string("user-\(i)")]]))
        }
        // Re-adding an existing member and removing an absent one change nothing.
        ops.append(PatchOperation(op: .add, path: AttributePath(attribute: "members"), value: [["value": "user-1"]]))
        ops.append(PatchOperation(op: .remove, path: try AttributePath.parse(#"members[value eq "user-0"]"#)))

        let clock = ContinuousClock()
        let began = clock.now
        let result = try start.applying(ops)
        let elapsed = clock.now - began

        let ids = result.memberIDs
        #expect(ids.count == 10_000)
        #expect(ids.first == "user-1")
        #expect(ids[4_999] == "user-9999")
        #expect(ids[5_000] == "user-10000")
        #expect(ids.last == "user-14999")
        #expect(Set(ids).count == 10_000)
        // Quadratic behaviour here is tens of seconds in a debug build; linear is milliseconds.
        #expect(elapsed < .seconds(10))
    }

    @Test func batchingKeepsErrorsPointingAtTheRequest() throws {
        let ops = [
            PatchOperation(op: .remove, path: try AttributePath.parse(#"members[value eq "user-1"]"#)),
            PatchOperation(op: .remove, path: try AttributePath.parse(#"members[value eq "user-2"]"#)),
            PatchOperation(op: .remove),
        ]
        let error = try #require(throws: SCIMError.self) { try group(members: 5).applying(ops) }
        #expect(error.detail == "Operations[2]: remove needs a \"path\"")
        let steps = PatchBatching.steps(ops)
        #expect(steps.map(\.index) == [0, 2])
        #expect(steps[0].operation.value == [["value": "user-1"], ["value": "user-2"]])
    }

    @Test func largeGroupSurvivesJSON() throws {
        let start = group(members: 10_000)
        let bytes = start.attributes.jsonBytes()
        let clock = ContinuousClock()
        let began = clock.now
        let parsed = try SCIMValue(json: bytes)
        let elapsed = clock.now - began
        #expect(parsed == .object(start.attributes))
        #expect(parsed.jsonBytes() == bytes)
        #expect(elapsed < .seconds(10))
    }
}
