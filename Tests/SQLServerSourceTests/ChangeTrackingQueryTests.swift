import Directory
import Testing

@testable import SQLServerSource

/// The generated T-SQL: names quoted, every value a parameter, one mask per mapped column.
@Suite struct ChangeTrackingQueryTests {
    let users = TrackedTable(
        name: "sync_users", schema: "hr]x", table: "we]ird", keyColumns: ["id"], valueColumns: ["username", "e]mail"])

    @Test func quotesNamesAndBindsValues() {
        let query = ChangeTrackingQuery(table: users)
        #expect(
            query.sql
                == "SELECT c.SYS_CHANGE_VERSION AS [c0], c.SYS_CHANGE_OPERATION AS [c1], c.SYS_CHANGE_CONTEXT AS [c2], "
                + "CASE WHEN c.SYS_CHANGE_COLUMNS IS NULL THEN 1 ELSE 0 END AS [c3], c.[id] AS [c4], "
                + "CHANGE_TRACKING_IS_COLUMN_IN_MASK(COLUMNPROPERTY(OBJECT_ID(@p2), @p3, 'ColumnId'), c.SYS_CHANGE_COLUMNS) AS [c5], "
                + "CHANGE_TRACKING_IS_COLUMN_IN_MASK(COLUMNPROPERTY(OBJECT_ID(@p2), @p4, 'ColumnId'), c.SYS_CHANGE_COLUMNS) AS [c6], "
                + "t.[id] AS [c7], t.[username] AS [c8], t.[e]]mail] AS [c9] "
                + "FROM CHANGETABLE(CHANGES [hr]]x].[we]]ird], @p1) AS c LEFT JOIN [hr]]x].[we]]ird] AS t ON t.[id] = c.[id] "
                + "ORDER BY c.SYS_CHANGE_VERSION, c.[id]")
        #expect(
            query.parameters(after: 7) == [.int(7), .text("[hr]]x].[we]]ird]"), .text("username"), .text("e]mail")])
    }

    @Test func compositeKeyJoinsOnEveryColumn() {
        let relation = TrackedTable(
            name: "rel", schema: "dbo", table: "rel", keyColumns: ["user_id", "group_id"], valueColumns: [])
        let sql = ChangeTrackingQuery(table: relation).sql
        #expect(sql.contains("LEFT JOIN [dbo].[rel] AS t ON t.[user_id] = c.[user_id] AND t.[group_id] = c.[group_id]"))
        #expect(sql.hasSuffix("ORDER BY c.SYS_CHANGE_VERSION, c.[user_id], c.[group_id]"))
        #expect(!sql.contains("CHANGE_TRACKING_IS_COLUMN_IN_MASK"))
    }

    @Test func versionQueryNamesEveryTable() {
        let query = VersionQuery(tables: TrackedTable.all(in: SeedLayout.layout, schema: "dbo"))
        #expect(
            query.sql
                == "SELECT CHANGE_TRACKING_CURRENT_VERSION() AS [current], "
                + "CHANGE_TRACKING_MIN_VALID_VERSION(OBJECT_ID(@p1)) AS [m0], "
                + "CHANGE_TRACKING_MIN_VALID_VERSION(OBJECT_ID(@p2)) AS [m1], "
                + "CHANGE_TRACKING_MIN_VALID_VERSION(OBJECT_ID(@p3)) AS [m2]")
        // Apply order: groups, users, memberships.
        #expect(query.parameters == [.text("[dbo].[sync_groups]"), .text("[dbo].[sync_users]"), .text("[dbo].[sync_users_groups_rel]")])
    }

    @Test func trackedTablesTakeTheirColumnsFromTheLayout() {
        let tables = TrackedTable.all(in: SeedLayout.layout, schema: "hr")
        #expect(tables.map(\.name) == ["sync_groups", "sync_users", "sync_users_groups_rel"])
        #expect(tables[0].valueColumns == ["name", "parent_id"])
        #expect(tables[1].keyColumns == ["id"])
        #expect(tables[1].valueColumns == ["username", "first_name", "last_name", "email", "job_title", "is_active"])
        #expect(tables[2].keyColumns == ["user_id", "group_id"])
        #expect(tables.allSatisfy { $0.schema == "hr" })
    }

    @Test func keysetQueryBindsEachKeyValueOnce() {
        let query = KeysetQuery(table: "[dbo].[rel]", keyColumns: ["user_id", "group_id"], columns: ["group_id"], chunkSize: 500)
        #expect(query.first == "SELECT TOP (500) [user_id], [group_id] FROM [dbo].[rel] ORDER BY [user_id], [group_id]")
        #expect(
            query.after
                == "SELECT TOP (500) [user_id], [group_id] FROM [dbo].[rel] WHERE [user_id] >= @p1 AND "
                + "(([user_id] > @p1) OR ([user_id] = @p1 AND [group_id] > @p2)) ORDER BY [user_id], [group_id]")
    }

    @Test func decodesAnUpdateWithItsMask() throws {
        let query = ChangeTrackingQuery(table: users)
        let row = Row(
            columns: (0..<10).map { "c\($0)" },
            values: [.int(12), .text("U"), .bytes([1, 2]), .int(0), .int(5), .bool(false), .bool(true), .int(5), .text("ann"), .text("a@x")])
        let change = try query.decode(row)
        #expect(change.operation == .update)
        #expect(change.version == 12)
        #expect(change.context == [1, 2])
        #expect(change.key == Row(columns: ["id"], values: [.int(5)]))
        #expect(change.changedColumns == ["e]mail"])
        #expect(change.current == Row(columns: ["id", "username", "e]mail"], values: [.int(5), .text("ann"), .text("a@x")]))
    }

    @Test func decodesADeleteWithoutItsRow() throws {
        let query = ChangeTrackingQuery(table: users)
        let row = Row(
            columns: (0..<10).map { "c\($0)" },
            values: [.int(3), .text("D"), .null, .int(1), .int(5), .null, .null, .null, .null, .null])
        let change = try query.decode(row)
        #expect(change.operation == .delete)
        #expect(change.context == nil)
        #expect(change.changedColumns == nil)
        #expect(change.current == nil)
    }

    @Test func refusesARowOfAnotherShape() {
        #expect(throws: ChangeTrackingError.self) {
            try ChangeTrackingQuery(table: users).decode(Row(columns: ["a"], values: [.int(1)]))
        }
    }
}
