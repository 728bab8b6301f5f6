import Directory
import Testing

@Suite struct MembershipTests {
    @Test func fromTheUsersGroupColumn() throws {
        let layout = Seed.groupColumnLayout
        let membership = try layout.membership(inUsersRow: Seed.userRow(id: 7, group: .int(3)))
        #expect(membership == Membership(groupID: "3", userID: "7"))
        #expect(membership?.addOp == .addMember(groupID: "3", userID: "7"))
        #expect(membership?.removeOp == .removeMember(groupID: "3", userID: "7"))
        #expect(try layout.membership(inUsersRow: Seed.userRow(group: .null)) == nil)
        // The relation layout has no group column.
        #expect(try Seed.relationLayout.membership(inUsersRow: Seed.userRow()) == nil)
    }

    @Test func fromTheRelationTable() throws {
        let layout = Seed.relationLayout
        #expect(
            try layout.membership(inRelationRow: Seed.relationRow(user: 7, group: 3))
                == Membership(groupID: "3", userID: "7"))
        #expect(try layout.membership(inRelationRow: Row(["user_id": .int(7), "group_id": .null])) == nil)
        #expect(try Seed.groupColumnLayout.membership(inRelationRow: Seed.relationRow(user: 7, group: 3)) == nil)
    }

    @Test func parentOfAGroup() throws {
        let layout = Seed.relationLayout
        #expect(try layout.parentID(inGroupsRow: Seed.groupRow(parent: .int(1))) == "1")
        #expect(try layout.parentID(inGroupsRow: Seed.groupRow(parent: .null)) == nil)
    }

    @Test func unreadableIdsAreErrors() {
        #expect(
            throws: RowMappingError.value(
                table: "sync_users_groups_rel", ValueConversionError(column: "user_id", reason: .notUTF8))
        ) {
            try Seed.relationLayout.membership(inRelationRow: Row(["user_id": .bytes([0xff]), "group_id": .int(3)]))
        }
    }
}
