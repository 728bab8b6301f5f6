import Directory
import SCIM
import Testing

@Suite struct ResourceOpOrderingTests {
    static func user(_ id: String) -> ResourceOp { .create(.user, SCIMResource(["id": .string(id)])) }
    static func group(_ id: String) -> ResourceOp { .create(.group, SCIMResource(["id": .string(id)])) }

    @Test func emptyStaysEmpty() {
        #expect(ResourceOp.ordered([]) == [])
    }

    @Test func groupsBeforeMemberships() {
        #expect(
            ResourceOp.ordered([.addMember(groupID: "3", userID: "7"), Self.user("7"), Self.group("3")]) == [
                Self.group("3"), Self.user("7"), .addMember(groupID: "3", userID: "7"),
            ])
    }

    @Test func parentsBeforeChildren() {
        #expect(
            ResourceOp.ordered([Self.group("3"), .moveParent(groupID: "3", parentID: "1"), Self.group("1")]) == [
                Self.group("3"), Self.group("1"), .moveParent(groupID: "3", parentID: "1"),
            ])
    }

    @Test func memberRemovalsBeforeDeletes() {
        let ops: [ResourceOp] = [
            .delete(.group, id: "3"), .delete(.user, id: "7"), .removeMember(groupID: "3", userID: "7"),
            .removeMember(groupID: "4", userID: "8"),
        ]
        #expect(
            ResourceOp.ordered(ops) == [
                .removeMember(groupID: "3", userID: "7"), .removeMember(groupID: "4", userID: "8"),
                .delete(.user, id: "7"), .delete(.group, id: "3"),
            ])
    }

    @Test func allPhasesInOrder() {
        let patchGroup = ResourceOp.patch(
            .group, id: "2", [PatchOperation(op: .remove, path: AttributePath(attribute: "displayName"))])
        let ops: [ResourceOp] = [
            .delete(.group, id: "9"), .delete(.user, id: "8"), .addMember(groupID: "2", userID: "5"),
            .removeMember(groupID: "2", userID: "6"), .deactivate(userID: "4"), Self.user("5"),
            patchGroup, .moveParent(groupID: "2", parentID: nil), Self.group("1"),
        ]
        #expect(
            ResourceOp.ordered(ops) == [
                patchGroup, Self.group("1"), .moveParent(groupID: "2", parentID: nil),
                .removeMember(groupID: "2", userID: "6"), .delete(.user, id: "8"),
                .deactivate(userID: "4"), Self.user("5"), .addMember(groupID: "2", userID: "5"),
                .delete(.group, id: "9"),
            ])
    }

    @Test func opsOnOneMembershipKeepTheirOrder() {
        // Added then removed then moved to another group in one batch: the user ends up in
        // group 6 only, as at the source.
        let ops: [ResourceOp] = [
            Self.user("7"), .addMember(groupID: "5", userID: "7"), .removeMember(groupID: "5", userID: "7"),
            .addMember(groupID: "6", userID: "7"),
        ]
        #expect(ResourceOp.ordered(ops) == ops)
    }

    @Test func deleteThenRecreateOfOneIdKeepsItsOrder() {
        let ops: [ResourceOp] = [.delete(.user, id: "1"), Self.user("1"), .addMember(groupID: "3", userID: "1")]
        #expect(ResourceOp.ordered(ops) == ops)
        let groups: [ResourceOp] = [.delete(.group, id: "3"), Self.group("3"), .addMember(groupID: "3", userID: "1")]
        #expect(ResourceOp.ordered(groups) == groups)
    }

    @Test func activationChangesOfOneUserKeepTheirOrder() {
        let ops: [ResourceOp] = [.reactivate(userID: "7"), .deactivate(userID: "7")]
        #expect(ResourceOp.ordered(ops) == ops)
        #expect(ResourceOp.ordered(ops.reversed()) == ops.reversed())
    }

    @Test func aCutOrdersEachPartOnItsOwn() {
        // The removal of (5, 7) must follow its addition, so the batch is cut there; the
        // group create before the cut still moves to the front of its part.
        let ops: [ResourceOp] = [
            .addMember(groupID: "5", userID: "7"), Self.group("5"), .removeMember(groupID: "5", userID: "7"),
            .delete(.group, id: "5"), .removeMember(groupID: "4", userID: "1"),
        ]
        #expect(
            ResourceOp.ordered(ops) == [
                Self.group("5"), .addMember(groupID: "5", userID: "7"),
                .removeMember(groupID: "5", userID: "7"), .removeMember(groupID: "4", userID: "1"),
                .delete(.group, id: "5"),
            ])
    }
}
