import Connectors
import Directory
import SCIM
import Testing

@testable import SQLServerSource

/// Change-tracking rows → target operations, without a server.
@Suite struct TrackedChangeTranslationTests {
    let mapper = ChangeMapper(layout: SeedLayout.layout, onDelete: .deactivate)

    func user(_ id: Int64, email: SQLValue = .text("a@example.com"), active: Bool = true) -> Row {
        Row(
            columns: ["id", "username", "first_name", "last_name", "email", "job_title", "is_active"],
            values: [.int(id), .text("u\(id)"), .text("Ann"), .null, email, .null, .bool(active)])
    }

    func change(
        _ table: String, _ operation: TrackedChange.Operation, key: Row, changed: [String]? = nil, current: Row?,
        context: [UInt8]? = nil
    ) -> TrackedChange {
        TrackedChange(
            table: table, operation: operation, version: 1, context: context, key: key, changedColumns: changed, current: current)
    }

    func paths(_ ops: [ResourceOp]) -> [String] {
        ops.flatMap { op -> [String] in
            guard case .patch(_, _, let operations) = op else { return [] }
            return operations.map { "\($0.op.rawValue) \($0.path.map { "\($0)" } ?? "")" }
        }
    }

    @Test func anUpdateOfUnmappedColumnsOnlyYieldsNothing() {
        let key = Row(columns: ["id"], values: [.int(5)])
        let translation = TrackedChangeTranslation(
            [change("sync_users", .update, key: key, changed: [], current: user(5))], mapper: mapper, echo: nil)
        #expect(translation.ops.isEmpty)
    }

    @Test func anUpdatePatchesOnlyTheChangedAttributes() {
        let key = Row(columns: ["id"], values: [.int(5)])
        let translation = TrackedChangeTranslation(
            [change("sync_users", .update, key: key, changed: ["first_name", "last_name"], current: user(5))],
            mapper: mapper, echo: nil)
        #expect(translation.ops.count == 1)
        let patched = paths(translation.ops)
        #expect(patched.count == 2)
        #expect(patched.contains { $0.hasPrefix("replace") && $0.contains("givenName") })
        #expect(patched.contains { $0.hasPrefix("remove") && $0.contains("familyName") })
    }

    @Test func anEmailIsSetThroughItsFilterAndClearedByIt() {
        let key = Row(columns: ["id"], values: [.int(5)])
        let set = TrackedChangeTranslation(
            [change("sync_users", .update, key: key, changed: ["email"], current: user(5))], mapper: mapper, echo: nil)
        #expect(paths(set.ops).count == 1)
        #expect(paths(set.ops).first?.hasPrefix("add emails[") == true)
        #expect(paths(set.ops).first?.hasSuffix(".value") == true)
        let cleared = TrackedChangeTranslation(
            [change("sync_users", .update, key: key, changed: ["email"], current: user(5, email: .null))], mapper: mapper, echo: nil)
        #expect(paths(cleared.ops).count == 1)
        #expect(paths(cleared.ops).first?.hasPrefix("remove emails[") == true)
    }

    @Test func activeBecomesDeactivateOrReactivate() {
        let key = Row(columns: ["id"], values: [.int(5)])
        let off = TrackedChangeTranslation(
            [change("sync_users", .update, key: key, changed: ["is_active"], current: user(5, active: false))], mapper: mapper, echo: nil)
        #expect(off.ops == [.deactivate(userID: "5")])
        let on = TrackedChangeTranslation(
            [change("sync_users", .update, key: key, changed: ["is_active"], current: user(5))], mapper: mapper, echo: nil)
        #expect(on.ops == [.reactivate(userID: "5")])
    }

    @Test func aNullMaskWritesTheWholeRow() {
        let key = Row(columns: ["id"], values: [.int(5)])
        let translation = TrackedChangeTranslation(
            [change("sync_users", .update, key: key, changed: nil, current: user(5))], mapper: mapper, echo: nil)
        guard case .create(.user, let resource)? = translation.ops.first, translation.ops.count == 1 else {
            Issue.record("expected one create, got \(translation.ops)")
            return
        }
        #expect(resource.id == "5")
        let group = Row(columns: ["id", "name", "parent_id"], values: [.int(2), .text("Eng"), .null])
        let moved = TrackedChangeTranslation(
            [change("sync_groups", .update, key: Row(columns: ["id"], values: [.int(2)]), changed: nil, current: group)],
            mapper: mapper, echo: nil)
        #expect(moved.ops.last == .moveParent(groupID: "2", parentID: nil))
    }

    /// A group inserted and then moved since the version asked for is reported as inserted,
    /// with its parent now. After a crash the target may hold it under the parent it had in
    /// between: an insert without a parent says so, one with a parent moves it there.
    @Test func anInsertedGroupSaysWhereItIsEvenAtTheTop() {
        let key = Row(columns: ["id"], values: [.int(7)])
        func group(parent: SQLValue) -> Row {
            Row(columns: ["id", "name", "parent_id"], values: [.int(7), .text("ae"), parent])
        }
        let top = TrackedChangeTranslation(
            [change("sync_groups", .insert, key: key, current: group(parent: .null))], mapper: mapper, echo: nil)
        #expect(top.ops.count == 2)
        #expect(top.ops.last == .moveParent(groupID: "7", parentID: nil))
        let under = TrackedChangeTranslation(
            [change("sync_groups", .insert, key: key, current: group(parent: .int(14)))], mapper: mapper, echo: nil)
        let moves = under.ops.filter { if case .moveParent = $0 { true } else { false } }
        #expect(moves == [.moveParent(groupID: "7", parentID: "14")])
    }

    @Test func deletesCarryOnlyTheKey() {
        let translation = TrackedChangeTranslation(
            [
                change("sync_users", .delete, key: Row(columns: ["id"], values: [.int(5)]), current: nil),
                change("sync_groups", .delete, key: Row(columns: ["id"], values: [.int(9)]), current: nil),
                change(
                    "sync_users_groups_rel", .delete, key: Row(columns: ["user_id", "group_id"], values: [.int(6), .int(9)]),
                    current: nil),
            ], mapper: mapper, echo: nil)
        #expect(
            translation.ops == [
                .removeMember(groupID: "9", userID: "6"), .deactivate(userID: "5"), .delete(.group, id: "9"),
            ])
    }

    @Test func ordersGroupsParentsUsersThenMemberships() {
        let group = Row(columns: ["id", "name", "parent_id"], values: [.int(2), .text("Eng"), .int(1)])
        let translation = TrackedChangeTranslation(
            [
                change(
                    "sync_users_groups_rel", .insert, key: Row(columns: ["user_id", "group_id"], values: [.int(5), .int(2)]),
                    current: Row(columns: ["user_id", "group_id"], values: [.int(5), .int(2)])),
                change("sync_users", .insert, key: Row(columns: ["id"], values: [.int(5)]), current: user(5)),
                change("sync_groups", .insert, key: Row(columns: ["id"], values: [.int(2)]), current: group),
            ], mapper: mapper, echo: nil)
        let kinds = translation.ops.map { op -> String in
            switch op {
            case .create(let kind, _): "create \(kind.rawValue)"
            case .moveParent: "move"
            case .addMember: "add"
            default: "\(op)"
            }
        }
        #expect(kinds == ["create Group", "move", "create User", "add"])
    }

    @Test func aGroupParentChangeIsAMove() {
        let group = Row(columns: ["id", "name", "parent_id"], values: [.int(2), .text("Eng"), .null])
        let translation = TrackedChangeTranslation(
            [change("sync_groups", .update, key: Row(columns: ["id"], values: [.int(2)]), changed: ["parent_id"], current: group)],
            mapper: mapper, echo: nil)
        #expect(translation.ops == [.moveParent(groupID: "2", parentID: nil)])
    }

    @Test func echoesAreSkippedAndOtherContextsApplied() {
        let echo = Array("scimsync:0123456789abcdef".utf8)
        let key = Row(columns: ["id"], values: [.int(5)])
        let translation = TrackedChangeTranslation(
            [
                change("sync_users", .insert, key: key, current: user(5), context: echo),
                change("sync_users", .insert, key: Row(columns: ["id"], values: [.int(6)]), current: user(6), context: [1, 2, 3]),
            ], mapper: mapper, echo: echo)
        #expect(translation.echoes == 1)
        #expect(translation.ops.count == 1)
        guard case .create(.user, let resource)? = translation.ops.first else {
            Issue.record("expected a create, got \(translation.ops)")
            return
        }
        #expect(resource.id == "6")
    }

    @Test func aMembershipColumnOnTheUsersTableAsksForAResync() {
        var layout = SeedLayout.layout
        layout.membership = nil
        layout.users.group = "group_id"
        let mapper = ChangeMapper(layout: layout, onDelete: .delete)
        var row = user(5)
        row.columns.append("group_id")
        row.values.append(.int(3))
        let translation = TrackedChangeTranslation(
            [change("sync_users", .update, key: Row(columns: ["id"], values: [.int(5)]), changed: ["group_id"], current: row)],
            mapper: mapper, echo: nil)
        #expect(translation.ops == [.addMember(groupID: "3", userID: "5")])
        #expect(translation.resyncReason != nil)
    }

    @Test func aRowTheLayoutCannotMapIsQuarantined() {
        let bad = Row(columns: ["id", "username"], values: [.null, .text("x")])
        let translation = TrackedChangeTranslation(
            [change("sync_users", .insert, key: Row(columns: ["id"], values: [.null]), current: bad)], mapper: mapper, echo: nil)
        #expect(translation.ops.isEmpty)
        #expect(translation.unmapped.count == 1)
    }
}
