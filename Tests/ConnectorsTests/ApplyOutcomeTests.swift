import Connectors
import Directory
import Reconcile
import SCIM
import Testing

/// What a batch came to: the operations carried out are those neither parked nor about a
/// resource the target refused.
@Suite struct ApplyOutcomeTests {
    static let ops: [ResourceOp] = [
        .create(.user, SCIMResource(["id": "1"])), .create(.user, SCIMResource(["id": "2"])),
        .patch(.user, id: "2", []), .addMember(groupID: "g", userID: "1"), .deactivate(userID: "3"),
    ]

    @Test func refusedAndParkedOperationsAreNotCarriedOut() {
        let outcome = ApplyOutcome(
            parked: [
                ParkedOperation(
                    op: .addMember(groupID: "g", userID: "1"), reason: "waits for Group g", key: "g 1", waitingFor: .group,
                    waitingID: "g")
            ],
            quarantined: [QuarantinedResource(kind: "User", id: "2", reason: "too long")])
        #expect(outcome.carriedOut(Self.ops) == [.create(.user, SCIMResource(["id": "1"])), .deactivate(userID: "3")])
        #expect(RepairsApplied(outcome, of: Self.ops) == RepairsApplied(
            [.create(.user, SCIMResource(["id": "1"])), .deactivate(userID: "3")], refused: 2, waiting: 1))
        #expect(ApplyOutcome.applied.carriedOut(Self.ops) == Self.ops)
        #expect(RepairsApplied(.applied, of: Self.ops) == RepairsApplied(Self.ops))
    }
}

/// The attributes a PATCH changes, as the quarantine compares them.
@Suite struct PatchedAttributesTests {
    @Test func pathsValueObjectsAndExtensions() {
        let ops: [PatchOperation] = [
            PatchOperation(op: .replace, path: AttributePath(attribute: "name", subAttribute: "givenName"), value: "A"),
            PatchOperation(op: .replace, value: ["Title": "x", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": ["employeeNumber": "1"]]),
        ]
        #expect(
            ResourceOp.patch(.user, id: "1", ops).patchedAttributes
                == ["name", "title", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user:employeenumber"])
        #expect(ResourceOp.deactivate(userID: "1").patchedAttributes == nil)
    }
}
