import Directory
import SCIM
import Testing

@Suite struct ResourceOpCoalescingTests {
    func user(_ id: String, _ name: String) -> SCIMResource {
        SCIMResource(["schemas": [.string(SchemaURN.user)], "id": .string(id), "userName": .string(name)])
    }

    @Test func createThenPatchesBecomeOneCreate() throws {
        let rename = PatchOperation(op: .replace, path: try AttributePath.parse("userName"), value: "babs")
        let title = PatchOperation(op: .add, path: try AttributePath.parse("title"), value: "Guide")
        let ops = ResourceOp.coalesced([
            .create(.user, user("1", "bjensen")), .addMember(groupID: "g", userID: "1"),
            .patch(.user, id: "1", [rename]), .patch(.user, id: "1", [title]),
        ])
        var expected = user("1", "babs")
        expected["title"] = "Guide"
        #expect(ops == [.create(.user, expected), .addMember(groupID: "g", userID: "1")])
    }

    @Test func patchesFoldAndDeletesWin() throws {
        let a = PatchOperation(op: .replace, path: try AttributePath.parse("userName"), value: "a")
        let b = PatchOperation(op: .replace, path: try AttributePath.parse("title"), value: "b")
        #expect(ResourceOp.coalesced([.patch(.user, id: "1", [a]), .patch(.group, id: "1", [b]), .patch(.user, id: "1", [b])])
            == [.patch(.user, id: "1", [a, b]), .patch(.group, id: "1", [b])])
        #expect(ResourceOp.coalesced([.create(.user, user("1", "x")), .removeMember(groupID: "g", userID: "1"), .delete(.user, id: "1")])
            == [.removeMember(groupID: "g", userID: "1"), .delete(.user, id: "1")])
    }

    @Test func whatCannotFoldStaysInOrder() {
        let ops: [ResourceOp] = [
            .delete(.user, id: "1"), .create(.user, user("1", "again")), .deactivate(userID: "1"),
        ]
        #expect(ResourceOp.coalesced(ops) == ops)
    }

    @Test func lastWinsForActivationMembershipAndParent() {
        #expect(ResourceOp.coalesced([
            .deactivate(userID: "1"), .addMember(groupID: "g", userID: "1"), .moveParent(groupID: "g", parentID: "p"),
            .reactivate(userID: "1"), .removeMember(groupID: "g", userID: "1"), .moveParent(groupID: "g", parentID: nil),
        ]) == [.reactivate(userID: "1"), .removeMember(groupID: "g", userID: "1"), .moveParent(groupID: "g", parentID: nil)])
    }

    @Test func aCreateIsNeverFoldedPastADeactivationOfItsUser() {
        // Inserted, deleted (deactivated under onDelete: deactivate), inserted again: the user
        // ends active, as at the source.
        let ops: [ResourceOp] = [.create(.user, user("1", "a")), .deactivate(userID: "1"), .create(.user, user("1", "b"))]
        #expect(ResourceOp.coalesced(ops) == ops)
        #expect(ResourceOp.coalesced([.deactivate(userID: "1"), .reactivate(userID: "1")]) == [.reactivate(userID: "1")])
    }
}
