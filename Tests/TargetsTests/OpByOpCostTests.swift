import Directory
import Foundation
import SCIM
import Testing

@testable import Targets

/// What a refused row costs: the batch that holds it applies in halves, not row by row.
@Suite struct OpByOpCostTests {
    @Test func mariaDB() throws {
        try Self.oneRefusedRowAmongMany(try TargetUnderTest.mariaDB(try PortalLayout.make(suffix: PortalLayout.suffix())))
    }

    @Test func postgres() throws {
        let suffix = PortalLayout.suffix()
        try Self.oneRefusedRowAmongMany(
            try TargetUnderTest.postgres(try PortalLayout.make(suffix: suffix), schema: "cost_\(suffix)"))
    }

    @Test func sqlite() throws {
        try Self.oneRefusedRowAmongMany(try TargetUnderTest.sqlite(try PortalLayout.make(suffix: PortalLayout.suffix())))
    }

    static func oneRefusedRowAmongMany(_ database: TargetUnderTest) throws {
        let target = try ApplyNeverBlocksTests.createTables(database)
        let count = 1000
        func users(_ prefix: String) -> [ResourceOp] {
            (0..<count).map { .create(.user, ApplyNeverBlocksTests.user("\(prefix)\($0)", login: "\(prefix)\($0)")) }
        }
        let clock = ContinuousClock()
        var clean = ApplyResult()
        let cleanTime = try clock.measure { clean = try target.apply(users("a")) }
        var batch = users("b")
        var refused = ApplyNeverBlocksTests.user("b500", login: "b500")
        refused.attributes["title"] = "A title far longer than twenty characters"
        batch[500] = .create(.user, refused)
        var mixed = ApplyResult()
        let mixedTime = try clock.measure { mixed = try target.apply(batch) }
        #expect(!clean.resolvedOpByOp)
        #expect(mixed.quarantined.map(\.subject) == [.user("b500")])
        #expect(mixed.applied[.createUser] == count - 1)
        #expect(try database.rows(database.layout.users.table, ["id"]).count == 2 * count - 1)
        // Bisection: about two attempts per halving (log2 1000 ≈ 10), each a statement or two
        // besides the failed first attempt; row by row would take 1000.
        #expect(mixed.statements < 60, "\(mixed.statements) statements")
        print("\(database.dialect): \(count) creates at once: \(cleanTime), \(clean.statements) statements; "
            + "with one refused row: \(mixedTime), \(mixed.statements) statements")
    }
}
