import Directory
import SCIM
import Testing

@Suite struct ChangeMapperTests {
    let relation = ChangeMapper(layout: Seed.relationLayout)
    let groupColumn = ChangeMapper(layout: Seed.groupColumnLayout)

    static func insert(_ table: String, _ row: Row) -> RowChange {
        RowChange(table: table, kind: .insert, before: nil, after: row)
    }

    static func update(_ table: String, _ before: Row, _ after: Row) -> RowChange {
        RowChange(table: table, kind: .update, before: before, after: after)
    }

    static func delete(_ table: String, _ row: Row) -> RowChange {
        RowChange(table: table, kind: .delete, before: row, after: nil)
    }

    static func bjensen(id: String = "7") -> SCIMResource {
        var resource = Seed.bjensen
        resource.id = id
        return resource
    }

    static let sales = SCIMResource(["schemas": [.string(SchemaURN.group)], "id": "3", "displayName": "Sales"])

    // MARK: Users

    @Test func userInsertIsCreate() throws {
        #expect(try relation.ops(for: Self.insert("sync_users", Seed.userRow())) == [.create(.user, Self.bjensen())])
    }

    @Test func userInsertWithAGroupColumnAlsoAddsTheMember() throws {
        #expect(
            try groupColumn.ops(for: Self.insert("sync_users", Seed.userRow())) == [
                .create(.user, Self.bjensen()), .addMember(groupID: "3", userID: "7"),
            ])
        #expect(
            try groupColumn.ops(for: Self.insert("sync_users", Seed.userRow(group: .null))) == [
                .create(.user, Self.bjensen())
            ])
    }

    @Test func userUpdateReplacesChangedAttributes() throws {
        let change = Self.update("sync_users", Seed.userRow(), Seed.userRow(username: "babs", first: .text("Babs")))
        #expect(
            try relation.ops(for: change) == [
                .patch(
                    .user, id: "7",
                    [
                        PatchOperation(op: .replace, path: AttributePath(attribute: "userName"), value: "babs"),
                        PatchOperation(
                            op: .replace, path: AttributePath(attribute: "name", subAttribute: "givenName"),
                            value: "Babs"),
                    ])
            ])
    }

    @Test func userUpdateRemovesAttributesThatBecameNull() throws {
        let change = Self.update("sync_users", Seed.userRow(), Seed.userRow(last: .null))
        #expect(
            try relation.ops(for: change) == [
                .patch(
                    .user, id: "7",
                    [
                        PatchOperation(op: .remove, path: AttributePath(attribute: "name", subAttribute: "familyName"))
                    ])
            ])
    }

    @Test func filteredElementIsAddedReplacedAndRemoved() throws {
        let added = Self.update("sync_users", Seed.userRow(email: .null), Seed.userRow())
        #expect(
            try relation.ops(for: added) == [
                .patch(
                    .user, id: "7",
                    [
                        PatchOperation(
                            op: .add, path: AttributePath(attribute: "emails"),
                            value: [["type": "work", "value": "bjensen@example.com"]])
                    ])
            ])
        let replaced = Self.update("sync_users", Seed.userRow(), Seed.userRow(email: .text("babs@example.com")))
        #expect(
            try relation.ops(for: replaced) == [
                .patch(.user, id: "7", [PatchOperation(op: .replace, path: Seed.workEmail, value: "babs@example.com")])
            ])
        let removed = Self.update("sync_users", Seed.userRow(), Seed.userRow(email: .null))
        var elementPath = Seed.workEmail
        elementPath.subAttribute = nil
        #expect(
            try relation.ops(for: removed) == [
                .patch(.user, id: "7", [PatchOperation(op: .remove, path: elementPath)])
            ])
    }

    @Test func activeChangesAreDeactivateAndReactivate() throws {
        let off = Self.update("sync_users", Seed.userRow(active: .int(1)), Seed.userRow(active: .int(0)))
        #expect(try relation.ops(for: off) == [.deactivate(userID: "7")])
        let on = Self.update("sync_users", Seed.userRow(active: .int(0)), Seed.userRow(active: .int(1)))
        #expect(try relation.ops(for: on) == [.reactivate(userID: "7")])
        let offAndRenamed = Self.update(
            "sync_users", Seed.userRow(active: .int(1)), Seed.userRow(first: .text("Babs"), active: .int(0)))
        #expect(
            try relation.ops(for: offAndRenamed) == [
                .patch(
                    .user, id: "7",
                    [
                        PatchOperation(
                            op: .replace, path: AttributePath(attribute: "name", subAttribute: "givenName"),
                            value: "Babs")
                    ]),
                .deactivate(userID: "7"),
            ])
    }

    @Test func activeBecomingNullIsRemoved() throws {
        let change = Self.update("sync_users", Seed.userRow(active: .int(1)), Seed.userRow(active: .null))
        #expect(
            try relation.ops(for: change) == [
                .patch(.user, id: "7", [PatchOperation(op: .remove, path: AttributePath(attribute: "active"))])
            ])
    }

    @Test func updateTouchingOnlyUnmappedColumnsGivesNoOp() throws {
        var before = Seed.userRow()
        before.columns.append("last_login")
        before.values.append(.int(100))
        var after = before
        after.values[after.values.count - 1] = .int(200)
        #expect(try relation.ops(for: Self.update("sync_users", before, after)) == [])
        // In the relation layout, sync_users.group_id is not mapped either.
        let regrouped = Self.update("sync_users", Seed.userRow(group: .int(3)), Seed.userRow(group: .int(4)))
        #expect(try relation.ops(for: regrouped) == [])
        // Nor is a change of spelling that converts to the same value.
        let same = Self.update("sync_users", Seed.userRow(active: .int(1)), Seed.userRow(active: .text("Y")))
        #expect(try relation.ops(for: same) == [])
    }

    @Test func groupColumnChangeMovesTheMember() throws {
        let moved = Self.update("sync_users", Seed.userRow(group: .int(3)), Seed.userRow(group: .int(4)))
        #expect(
            try groupColumn.ops(for: moved) == [
                .removeMember(groupID: "3", userID: "7"), .addMember(groupID: "4", userID: "7"),
            ])
        let joined = Self.update("sync_users", Seed.userRow(group: .null), Seed.userRow(group: .int(4)))
        #expect(try groupColumn.ops(for: joined) == [.addMember(groupID: "4", userID: "7")])
        let left = Self.update("sync_users", Seed.userRow(group: .int(3)), Seed.userRow(group: .null))
        #expect(try groupColumn.ops(for: left) == [.removeMember(groupID: "3", userID: "7")])
    }

    @Test func userDeleteFollowsThePolicy() throws {
        let change = Self.delete("sync_users", Seed.userRow())
        #expect(try relation.ops(for: change) == [.delete(.user, id: "7")])
        #expect(
            try groupColumn.ops(for: change) == [.removeMember(groupID: "3", userID: "7"), .delete(.user, id: "7")])
        let deactivating = ChangeMapper(layout: Seed.groupColumnLayout, onDelete: .deactivate)
        #expect(try deactivating.ops(for: change) == [.deactivate(userID: "7")])
    }

    @Test func primaryKeyChangeIsDeleteThenCreate() throws {
        let change = Self.update("sync_users", Seed.userRow(id: 7), Seed.userRow(id: 8))
        #expect(try relation.ops(for: change) == [.delete(.user, id: "7"), .create(.user, Self.bjensen(id: "8"))])
        #expect(
            try groupColumn.ops(for: change) == [
                .removeMember(groupID: "3", userID: "7"), .delete(.user, id: "7"),
                .create(.user, Self.bjensen(id: "8")), .addMember(groupID: "3", userID: "8"),
            ])
        let deactivating = ChangeMapper(layout: Seed.relationLayout, onDelete: .deactivate)
        // Renumbered, not gone: deleted under `deactivate` too (its login moves to the new id).
        #expect(try deactivating.ops(for: change) == [.delete(.user, id: "7"), .create(.user, Self.bjensen(id: "8"))])
    }

    @Test func partialAfterImageKeepsUnloggedColumns() throws {
        // binlog_row_image=MINIMAL: the after image holds the key and the changed column only.
        let change = Self.update("sync_users", Seed.userRow(), Row(["id": .int(7), "first_name": .text("Babs")]))
        #expect(
            try relation.ops(for: change) == [
                .patch(
                    .user, id: "7",
                    [
                        PatchOperation(
                            op: .replace, path: AttributePath(attribute: "name", subAttribute: "givenName"),
                            value: "Babs")
                    ])
            ])
    }

    @Test func updateWithoutBeforeImageIsCreate() throws {
        let change = RowChange(table: "sync_users", kind: .update, before: nil, after: Seed.userRow())
        #expect(try relation.ops(for: change) == [.create(.user, Self.bjensen())])
    }

    // MARK: Groups

    @Test func groupInsertIsCreateThenMoveParent() throws {
        #expect(try relation.ops(for: Self.insert("sync_groups", Seed.groupRow())) == [.create(.group, Self.sales)])
        #expect(
            try relation.ops(for: Self.insert("sync_groups", Seed.groupRow(parent: .int(1)))) == [
                .create(.group, Self.sales), .moveParent(groupID: "3", parentID: "1"),
            ])
    }

    @Test func groupUpdateIsPatchAndMoveParent() throws {
        let renamed = Self.update(
            "sync_groups", Seed.groupRow(parent: .int(1)), Seed.groupRow(name: "Sales EMEA", parent: .int(1)))
        #expect(
            try relation.ops(for: renamed) == [
                .patch(
                    .group, id: "3",
                    [PatchOperation(op: .replace, path: AttributePath(attribute: "displayName"), value: "Sales EMEA")])
            ])
        let moved = Self.update("sync_groups", Seed.groupRow(parent: .int(1)), Seed.groupRow(parent: .int(2)))
        #expect(try relation.ops(for: moved) == [.moveParent(groupID: "3", parentID: "2")])
        let toRoot = Self.update(
            "sync_groups", Seed.groupRow(parent: .int(1)), Seed.groupRow(name: "Top", parent: .null))
        #expect(
            try relation.ops(for: toRoot) == [
                .patch(
                    .group, id: "3",
                    [PatchOperation(op: .replace, path: AttributePath(attribute: "displayName"), value: "Top")]),
                .moveParent(groupID: "3", parentID: nil),
            ])
    }

    @Test func groupPrimaryKeyChangeIsDeleteThenCreate() throws {
        let change = Self.update(
            "sync_groups", Seed.groupRow(id: 3, parent: .int(1)), Seed.groupRow(id: 4, parent: .int(1)))
        var renumbered = Self.sales
        renumbered.id = "4"
        #expect(
            try relation.ops(for: change) == [
                .delete(.group, id: "3"), .create(.group, renumbered), .moveParent(groupID: "4", parentID: "1"),
            ])
    }

    @Test func groupDeleteIsDelete() throws {
        #expect(
            try relation.ops(for: Self.delete("sync_groups", Seed.groupRow(parent: .int(1)))) == [
                .delete(.group, id: "3")
            ])
        // The deactivate policy is for users; groups have no `active`.
        let deactivating = ChangeMapper(layout: Seed.relationLayout, onDelete: .deactivate)
        #expect(try deactivating.ops(for: Self.delete("sync_groups", Seed.groupRow())) == [.delete(.group, id: "3")])
    }

    // MARK: Membership rows

    @Test func membershipRows() throws {
        let table = "sync_users_groups_rel"
        #expect(
            try relation.ops(for: Self.insert(table, Seed.relationRow(user: 7, group: 3))) == [
                .addMember(groupID: "3", userID: "7")
            ])
        #expect(
            try relation.ops(for: Self.delete(table, Seed.relationRow(user: 7, group: 3))) == [
                .removeMember(groupID: "3", userID: "7")
            ])
        #expect(
            try relation.ops(
                for: Self.update(table, Seed.relationRow(user: 7, group: 3), Seed.relationRow(user: 8, group: 3))) == [
                    .removeMember(groupID: "3", userID: "7"), .addMember(groupID: "3", userID: "8"),
                ])
        var before = Seed.relationRow(user: 7, group: 3)
        before.columns.append("since")
        before.values.append(.int(2020))
        var after = before
        after.values[2] = .int(2021)
        #expect(try relation.ops(for: Self.update(table, before, after)) == [])
    }

    // MARK: Tables

    @Test func tablesOutsideTheLayoutGiveNoOps() throws {
        #expect(try relation.ops(for: Self.insert("audit_log", Seed.userRow())) == [])
        // No relation table in this layout.
        #expect(
            try groupColumn.ops(for: Self.insert("sync_users_groups_rel", Seed.relationRow(user: 7, group: 3))) == [])
    }

    @Test func tableNamesIgnoreCaseAndSchema() throws {
        var layout = Seed.relationLayout
        layout.users.table = "hr.sync_users"
        let mapper = ChangeMapper(layout: layout)
        #expect(try mapper.ops(for: Self.insert("SYNC_USERS", Seed.userRow())) == [.create(.user, Self.bjensen())])
        #expect(try mapper.ops(for: Self.insert("hr.sync_users", Seed.userRow())) == [.create(.user, Self.bjensen())])
    }

    @Test func aBatchComesOutOrdered() throws {
        // A source without foreign keys may write the membership before the group and the user.
        let batch = ChangeBatch(
            changes: [
                Self.insert("sync_users_groups_rel", Seed.relationRow(user: 7, group: 3)),
                Self.insert("sync_users", Seed.userRow()),
                Self.insert("sync_groups", Seed.groupRow(parent: .int(1))),
                Self.insert("sync_groups", Seed.groupRow(id: 1, name: "All")),
            ],
            position: .token("t1"), commitTime: 0)
        var all = Self.sales
        all.id = "1"
        all["displayName"] = "All"
        #expect(
            try relation.ops(for: batch) == [
                .create(.group, Self.sales), .create(.group, all), .moveParent(groupID: "3", parentID: "1"),
                .create(.user, Self.bjensen()), .addMember(groupID: "3", userID: "7"),
            ])
    }

    @Test func mappingErrorsPropagate() {
        #expect(throws: RowMappingError.missingID(table: "sync_users", column: "id")) {
            try relation.ops(for: Self.insert("sync_users", Row(["id": .null, "username": .text("x")])))
        }
    }
}
