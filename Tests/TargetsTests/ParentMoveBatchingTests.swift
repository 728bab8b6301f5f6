import Directory
import Foundation
import Testing

@testable import Targets

/// Consecutive parent moves become one `UPDATE … CASE` per chunk on every kind of target, with
/// the same rows as one statement per move, and foreign keys still hold.
@Suite struct ParentMoveBatchingTests {
    @Test func mariaDB() throws {
        let layout = try PortalLayout.make(suffix: PortalLayout.suffix())
        try Self.scenario(try TargetUnderTest.mariaDB(layout))
    }

    @Test func postgres() throws {
        let suffix = PortalLayout.suffix()
        let layout = try PortalLayout.make(suffix: suffix)
        try Self.scenario(try TargetUnderTest.postgres(layout, schema: "moves_\(suffix)"))
    }

    /// Integer ids: PostgreSQL must be told the type of the CASE's parameters, NULLs included.
    @Test func postgresWithIntegerIds() throws {
        let suffix = PortalLayout.suffix()
        let layout = try PortalLayout.make(suffix: suffix)
        let database = try TargetUnderTest.postgres(layout, schema: "moves_\(suffix)")
        for statement in createTableStatements(for: layout, dialect: database.dialect) {
            try database.connection.run(statement.replacingOccurrences(of: "varchar(64)", with: "integer"))
        }
        let target = try SQLTarget(connection: database.connection, dialect: database.dialect, layout: layout)
        try target.apply((1...4).map { .create(.group, Portal.group("\($0)", "G\($0)")) })
        let result = try target.apply([
            .moveParent(groupID: "2", parentID: "1"), .moveParent(groupID: "3", parentID: "2"),
            .moveParent(groupID: "4", parentID: "1"),
        ])
        #expect(result.statements == 1)
        // Every move to the top: a CASE of NULLs only.
        try target.apply([.moveParent(groupID: "3", parentID: nil), .moveParent(groupID: "4", parentID: nil)])
        #expect(try database.rows(layout.groups!.table, ["id", "parent"])
            == [["1", "NULL"], ["2", "1"], ["3", "NULL"], ["4", "NULL"]])
    }

    @Test func sqlite() throws {
        let layout = try PortalLayout.make(suffix: PortalLayout.suffix())
        try Self.scenario(try TargetUnderTest.sqlite(layout))
    }

    static func scenario(_ database: TargetUnderTest) throws {
        let target = try database.createTablesAndOpen()
        let groups = try #require(database.layout.groups?.table)
        let ids = (1...2500).map { "g\($0)" }
        try target.apply(ids.map { .create(.group, Portal.group($0, "Group \($0)")) })

        // A tree as the first load sets it: children may come before their parents in key
        // order; the root's move clears a parent left by an earlier attempt.
        let tree = ids.enumerated().map { index, id in
            ResourceOp.moveParent(groupID: id, parentID: index == 0 ? nil : ids[(index - 1) / 8])
        }
        let loaded = try target.apply(tree.reversed())
        // Three parameters a move: 1,000 moves a statement within the limits of MariaDB,
        // PostgreSQL and SQLite (3 statements); 666 within SQL Server's (4).
        let movesPerStatement = database.dialect.rowsPerStatement(columnsPerRow: 3)
        #expect(loaded.statements == (2500 + movesPerStatement - 1) / movesPerStatement)
        #expect(movesPerStatement == 1000 || database.dialect == .sqlServer(schema: "dbo"))
        #expect(loaded.applied[.moveParent] == 2500)
        let expected = ids.enumerated().map { index, id in [id, index == 0 ? "NULL" : ids[(index - 1) / 8]] }
        #expect(try database.rows(groups, ["id", "parent"]) == expected.sorted { $0[0] < $1[0] })
        try target.apply(tree)
        #expect(try database.rows(groups, ["id", "parent"]) == expected.sorted { $0[0] < $1[0] }, "replayed")

        // A repeated group starts a new statement, so that its last move wins, as it would
        // one statement at a time.
        let repeated = try target.apply([
            .moveParent(groupID: "g3", parentID: "g1"), .moveParent(groupID: "g4", parentID: nil),
            .moveParent(groupID: "g3", parentID: "g2"),
        ])
        #expect(repeated.statements == 2)
        #expect(try database.rows(groups, ["id", "parent"]).filter { ["g3", "g4"].contains($0[0]) }
            == [["g3", "g2"], ["g4", "NULL"]])

        // A move to a group the target does not have is parked, whichever row of the
        // statement names it; the other moves apply.
        let before = try database.rows(groups, ["id", "parent"])
        let result = try target.apply([
            .moveParent(groupID: "g5", parentID: "g1"), .moveParent(groupID: "g6", parentID: "missing"),
            .moveParent(groupID: "g7", parentID: nil),
        ])
        #expect(result.parked.map(\.waitingFor) == [ResourceRef(.group, "missing")])
        #expect(result.applied[.moveParent] == 2)
        let expectedAfter = before.map { row in
            switch row[0] {
            case "g5": ["g5", "g1"]
            case "g7": ["g7", "NULL"]
            default: row
            }
        }
        #expect(try database.rows(groups, ["id", "parent"]) == expectedAfter)
    }
}
